package iamquery

// accountOps adds the account-wide operations: login profiles, credential
// reports, authorization details.
func (h *Handler) accountOps(t map[string]op) {}
