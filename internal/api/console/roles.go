package console

// roleRoutes lists this area's pages (to be written).
func (h *Handler) roleRoutes() []route { return nil }
