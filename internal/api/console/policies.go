package console

// policyRoutes lists this area's pages (to be written).
func (h *Handler) policyRoutes() []route { return nil }
