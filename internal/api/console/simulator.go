package console

// simulatorRoutes lists this area's pages (to be written).
func (h *Handler) simulatorRoutes() []route { return nil }
