package console

import (
	"html/template"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/httpx"
	"github.com/wharf-project/wharf/internal/store"
)

// The public gallery: every ECR Public repository of every account, as
// anonymous visitors see it (gallery.ecr.aws). No session, no
// authorization: the registry's gallery methods return only what anonymous
// `docker pull` exposes anyway (see internal/registry/gallery.go).

// galleryRoutes lists the anonymous gallery pages.
func (h *Handler) galleryRoutes() []publicRoute {
	return []publicRoute{
		{"GET /gallery", func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, "/gallery/", http.StatusFound) }},
		{"GET /gallery/{$}", h.galleryIndex},
		{"GET /gallery/logo/{alias}/{name...}", h.galleryLogo},
		{"GET /gallery/{alias}/{name...}", h.galleryRepository},
	}
}

// galleryPageSize is how many repositories one gallery page lists.
const galleryPageSize = 48

func galleryURL(alias, name string) string     { return "/gallery/" + alias + "/" + name }
func galleryLogoURL(alias, name string) string { return "/gallery/logo/" + alias + "/" + name }

// galleryCard is one repository on the gallery's index.
type galleryCard struct {
	Alias, Name string
	URL         string
	LogoURL     string
	Description string
	DisplayName string
	Chips       []string
}

type galleryIndexData struct {
	Query string
	Cards []galleryCard
	// Next is the next page's address, "" on the last page.
	Next   string
	Loaded bool
}

func (h *Handler) galleryFail(w http.ResponseWriter, r *http.Request, name string, p page, err error) {
	p.Err = toPageError(err)
	if p.Err.Status >= 500 {
		h.Log.Error("gallery read failed", "request_id", httpx.RequestID(r), "path", r.URL.Path, "err", err)
	}
	h.render(w, r, name, p)
}

func (h *Handler) galleryIndex(w http.ResponseWriter, r *http.Request) {
	query := strings.TrimSpace(r.URL.Query().Get("q"))
	if r := []rune(query); len(r) > 256 {
		query = string(r[:256])
	}
	d := galleryIndexData{Query: query}
	p := page{Title: "Public gallery", Section: "gallery"}
	rs, more, err := h.Registry.GalleryRepositories(r.Context(), query, store.Page{Marker: r.URL.Query().Get("after"), Max: galleryPageSize})
	if err != nil {
		p.Data = d
		h.galleryFail(w, r, "gallery/index", p, err)
		return
	}
	for _, g := range rs {
		c := galleryCard{Alias: g.Alias, Name: g.Name, URL: galleryURL(g.Alias, g.Name), Description: g.Catalog.Description, DisplayName: g.DisplayName,
			Chips: append(append([]string{}, g.Catalog.Architectures...), g.Catalog.OperatingSystems...)}
		if g.Catalog.LogoDigest != "" {
			c.LogoURL = galleryLogoURL(g.Alias, g.Name)
		}
		d.Cards = append(d.Cards, c)
	}
	if more && len(rs) > 0 {
		v := url.Values{"after": {rs[len(rs)-1].Alias + "/" + rs[len(rs)-1].Name}}
		if query != "" {
			v.Set("q", query)
		}
		d.Next = "/gallery/?" + v.Encode()
	}
	d.Loaded = true
	p.Data = d
	h.render(w, r, "gallery/index", p)
}

type galleryTagRow struct {
	Tag      string
	Digest   string
	Size     int64
	PushedAt time.Time
	Pull     string
	PullID   string
}

type galleryRepoData struct {
	Alias, Name string
	Loaded      bool
	URI         string
	DisplayName string
	Description string
	LogoURL     string
	Archs, OSes []string
	AboutHTML   template.HTML
	UsageHTML   template.HTML
	Tags        []galleryTagRow
	More        bool
	// Pull is the pull command of "latest", or of the newest tag.
	Pull string
	// Untagged is set when the repository has no tagged image yet.
	Untagged bool
}

func (h *Handler) galleryRepository(w http.ResponseWriter, r *http.Request) {
	alias, name := r.PathValue("alias"), r.PathValue("name")
	d := galleryRepoData{Alias: alias, Name: name}
	p := page{Title: alias + "/" + name, Section: "gallery"}
	g, err := h.Registry.GalleryRepository(r.Context(), alias, name)
	if err != nil {
		p.Data = d
		h.galleryFail(w, r, "gallery/repository", p, err)
		return
	}
	uri := h.registryHost(r) + "/" + g.Alias + "/" + g.Name
	d = galleryRepoData{Alias: g.Alias, Name: g.Name, Loaded: true, URI: uri, DisplayName: g.DisplayName,
		Description: g.Catalog.Description, Archs: g.Catalog.Architectures, OSes: g.Catalog.OperatingSystems,
		AboutHTML: renderMarkdown(g.Catalog.AboutText), UsageHTML: renderMarkdown(g.Catalog.UsageText), More: g.TagsTruncated}
	if g.Catalog.LogoDigest != "" {
		d.LogoURL = galleryLogoURL(g.Alias, g.Name)
	}
	pullTag := ""
	for i, t := range g.Tags {
		d.Tags = append(d.Tags, galleryTagRow{Tag: t.Tag, Digest: t.Digest, Size: t.Size, PushedAt: t.PushedAt,
			Pull: "docker pull " + uri + ":" + t.Tag, PullID: "pull-tag-" + strconv.Itoa(i)})
		if t.Tag == "latest" {
			pullTag = "latest"
		}
	}
	if pullTag == "" && len(g.Tags) > 0 {
		pullTag = g.Tags[0].Tag // newest first
	}
	if pullTag == "" {
		pullTag, d.Untagged = "latest", true
	}
	d.Pull = "docker pull " + uri + ":" + pullTag
	p.Data = d
	h.render(w, r, "gallery/repository", p)
}

// galleryLogo serves a repository's logo. Only PNG and JPEG images are
// served (the API stores any bytes as a logo); the type is sniffed from the
// bytes, never taken from the uploader, and nosniff is set.
func (h *Handler) galleryLogo(w http.ResponseWriter, r *http.Request) {
	b, dg, err := h.Registry.GalleryLogo(r.Context(), r.PathValue("alias"), r.PathValue("name"))
	if err != nil {
		pe := toPageError(err)
		if pe.Status >= 500 {
			h.Log.Error("gallery logo failed", "request_id", httpx.RequestID(r), "path", r.URL.Path, "err", err)
		}
		http.Error(w, pe.Code+": "+pe.Message, pe.Status)
		return
	}
	ct := logoType(b)
	if ct == "" {
		http.Error(w, "NotFound: the repository's logo is not a PNG or JPEG image", http.StatusNotFound)
		return
	}
	hdr := w.Header()
	etag := `"` + dg + `"`
	hdr.Set("ETag", etag)
	hdr.Set("Cache-Control", "public, max-age=300")
	hdr.Set("X-Content-Type-Options", "nosniff")
	hdr.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	if match := r.Header.Get("If-None-Match"); match != "" && strings.Contains(match, etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hdr.Set("Content-Type", ct)
	hdr.Set("Content-Length", strconv.Itoa(len(b)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		_, _ = w.Write(b)
	}
}
