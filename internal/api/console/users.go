package console

// userRoutes lists this area's pages (to be written).
func (h *Handler) userRoutes() []route { return nil }
