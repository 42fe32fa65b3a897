package console

// reportRoutes lists this area's pages (to be written).
func (h *Handler) reportRoutes() []route { return nil }
