package console

// groupRoutes lists this area's pages (to be written).
func (h *Handler) groupRoutes() []route { return nil }
