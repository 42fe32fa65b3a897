package console

// galleryRoutes lists the anonymous gallery pages (to be written).
func (h *Handler) galleryRoutes() []publicRoute { return nil }
