package console

// ecrRoutes lists this area's pages (to be written).
func (h *Handler) ecrRoutes() []route { return nil }
