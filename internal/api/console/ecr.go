package console

import (
	"errors"
	"html/template"
	"io"
	"net/http"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/store"
)

// The ECR Public pages: repositories (list, create, details with images,
// catalog data and repository policy tabs, push commands) and registry
// settings. Every read and write is a registry.Service call as the
// signed-in principal.

// ecrRoutes lists this area's pages.
func (h *Handler) ecrRoutes() []route {
	return []route{
		{"GET /console/ecr/{$}", func(q *request) { http.Redirect(q.w, q.r, "/console/ecr/repositories", http.StatusFound) }},
		{"GET /console/ecr/repositories", h.ecrRepositories},
		{"GET /console/ecr/create/repository", h.ecrNewRepository},
		{"POST /console/ecr/repositories", h.ecrCreateRepository},
		// Repository names contain slashes, so the name is the rest of the
		// path, and the POST's "action" field says what to do.
		{"GET /console/ecr/repositories/{name...}", func(q *request) { h.ecrRepository(q, q.r.PathValue("name")) }},
		{"POST /console/ecr/repositories/{name...}", h.ecrRepositoryAction},
		{"GET /console/ecr/registry", h.ecrRegistry},
		{"POST /console/ecr/registry", h.ecrRegistryAction},
	}
}

// Catalog data choices the Gallery badges (other values set through the API
// are kept and shown too).
var (
	galleryArchitectures = []string{"ARM", "ARM 64", "x86", "x86-64"}
	galleryOSes          = []string{"Linux", "Windows"}
)

// maxLogoBytes is ECR Public's logoImageBlob limit, which the registry
// service enforces; the console reads one byte more so that the service
// reports an oversized logo with its own message.
const maxLogoBytes = 512000

// repoURL is a repository's console page, optionally on a tab.
func repoURL(name, tab string) string {
	u := "/console/ecr/repositories/" + name
	if tab != "" && tab != "images" {
		u += "?" + url.Values{"tab": {tab}}.Encode()
	}
	return u
}

// ---- repositories list ----

type repoRow struct {
	Name      string
	URL       string
	URI       string
	CreatedAt time.Time
}

type repoListData struct {
	Query        string
	Repositories []repoRow
	// Loaded is false when the list could not be read (the error panel says why).
	Loaded bool
}

func (h *Handler) ecrRepositories(q *request) {
	p := page{Title: "Repositories", Section: "ecr"}
	d := repoListData{Query: strings.TrimSpace(q.r.URL.Query().Get("q"))}
	host := h.registryHost(q.r)
	pg := store.Page{Max: 1000}
	for {
		rs, more, err := h.Registry.ListRepositories(q.ctx(), q.call, q.call.Subject.Caller.Account, pg)
		if err != nil {
			p.Data = d
			h.fail(q, "ecr/repositories", p, err)
			return
		}
		for _, r := range rs {
			if d.Query != "" && !strings.Contains(r.Name, strings.ToLower(d.Query)) {
				continue
			}
			d.Repositories = append(d.Repositories, repoRow{Name: r.Name, URL: repoURL(r.Name, ""), URI: host + "/" + r.Alias + "/" + r.Name, CreatedAt: r.CreatedAt})
		}
		if !more || len(rs) == 0 {
			break
		}
		pg.Marker = rs[len(rs)-1].Name
	}
	d.Loaded = true
	p.Data = d
	h.show(q, "ecr/repositories", p)
}

// ---- catalog data forms ----

// choice is one checkbox.
type choice struct {
	ID, Value string
	Checked   bool
}

// catalogForm is the catalog data fields of the create and edit forms.
type catalogForm struct {
	Description   string
	About         string
	Usage         string
	Architectures []choice
	OSes          []choice
	// LogoURL is the current logo's gallery address, "" for none.
	LogoURL string
	// AboutHTML and UsageHTML are the rendered previews.
	AboutHTML, UsageHTML template.HTML
}

func choices(prefix string, standard, selected []string) []choice {
	var out []choice
	seen := map[string]bool{}
	for _, v := range append(append([]string{}, standard...), selected...) {
		if seen[v] {
			continue
		}
		seen[v] = true
		out = append(out, choice{ID: prefix + "-" + slug(v), Value: v, Checked: slices.Contains(selected, v)})
	}
	return out
}

// slug makes an id fragment of a value ("ARM 64" → "arm-64").
func slug(s string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z', r >= '0' && r <= '9':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
	}
	return b.String()
}

func newCatalogForm(description, about, usage string, archs, oses []string) catalogForm {
	return catalogForm{Description: description, About: about, Usage: usage,
		Architectures: choices("arch", galleryArchitectures, archs), OSes: choices("os", galleryOSes, oses),
		AboutHTML: renderMarkdown(about), UsageHTML: renderMarkdown(usage)}
}

// postedCatalog reads the catalog fields of a submitted form.
func postedCatalog(r *http.Request) (catalogForm, registry.CatalogDataInput) {
	in := registry.CatalogDataInput{
		Description:      strings.TrimSpace(r.PostFormValue("description")),
		AboutText:        normalizeNewlines(r.PostFormValue("about")),
		UsageText:        normalizeNewlines(r.PostFormValue("usage")),
		Architectures:    nonEmpty(r.PostForm["arch"]),
		OperatingSystems: nonEmpty(r.PostForm["os"]),
	}
	return newCatalogForm(in.Description, in.AboutText, in.UsageText, in.Architectures, in.OperatingSystems), in
}

// normalizeNewlines turns the CRLF a browser submits into LF, so that
// lengths count as the API counts them.
func normalizeNewlines(s string) string { return strings.ReplaceAll(s, "\r\n", "\n") }

// postedLogo reads the uploaded logo: nil when none was chosen, an Invalid
// error when it is not a PNG or JPEG image.
func postedLogo(r *http.Request) ([]byte, error) {
	f, fh, err := r.FormFile("logo")
	if errors.Is(err, http.ErrMissingFile) || errors.Is(err, http.ErrNotMultipart) {
		return nil, nil
	}
	if err != nil {
		return nil, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The logo could not be read from the form: %v", err)
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, maxLogoBytes+1))
	if err != nil {
		return nil, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The logo could not be read from the form: %v", err)
	}
	if len(b) == 0 {
		if fh.Filename == "" {
			return nil, nil
		}
		return nil, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The logo file %q is empty.", fh.Filename)
	}
	if ct := logoType(b); ct == "" {
		return nil, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The logo must be a PNG or JPEG image; %q is %s.", fh.Filename, http.DetectContentType(b))
	}
	return b, nil
}

// logoType is the content type of a PNG or JPEG image, "" for anything else.
func logoType(b []byte) string {
	switch ct := http.DetectContentType(b); ct {
	case "image/png", "image/jpeg":
		return ct
	}
	return ""
}

// ---- create ----

type newRepoData struct {
	Name    string
	Catalog catalogForm
}

func (h *Handler) ecrNewRepository(q *request) {
	h.show(q, "ecr/new", page{Title: "Create repository", Section: "ecr", Data: newRepoData{Catalog: newCatalogForm("", "", "", nil, nil)}})
}

func (h *Handler) ecrCreateRepository(q *request) {
	name := strings.TrimSpace(q.r.PostFormValue("name"))
	form, in := postedCatalog(q.r)
	p := page{Title: "Create repository", Section: "ecr", Data: newRepoData{Name: name, Catalog: form}}
	logo, err := postedLogo(q.r)
	if err != nil {
		h.fail(q, "ecr/new", p, err)
		return
	}
	in.Logo = logo
	info, _, err := h.Registry.CreateRepositoryWithCatalog(q.ctx(), q.call, name, in, nil)
	if err != nil {
		h.fail(q, "ecr/new", p, err)
		return
	}
	redirect(q, repoURL(info.Name, ""), "Repository "+info.Name+" created.")
}

// ---- repository details ----

// pushCommand is one step of "View push commands".
type pushCommand struct {
	ID    string
	Label string
	Cmd   string
}

type imageRow struct {
	Digest            string
	Tags              []string
	Size              int64
	PushedAt          time.Time
	MediaType         string
	ArtifactMediaType string
	Pull              string
	PullID            string
}

type repoData struct {
	Name  string
	Alias string
	URI   string
	ARN   string
	// Loaded is false when the repository could not be read.
	Loaded    bool
	CreatedAt time.Time
	Tab       string
	Tabs      []tabLink
	URL       string // the repository's page (images tab)
	// ActionURL is where the page's forms post.
	ActionURL string
	Push      []pushCommand
	// EndpointURL is what --endpoint-url takes; Insecure is set when the
	// registry is served over plain HTTP.
	EndpointURL string
	Insecure    bool
	Host        string

	// The images tab.
	Images       []imageRow
	ImagesLoaded bool
	// The catalog data tab.
	Catalog       catalogForm
	CatalogLoaded bool
	// Previewing is set while the catalog form shows an unsaved preview.
	Previewing bool
	// The repository policy tab.
	Editor       editor
	HasPolicy    bool
	PolicyLoaded bool
	PolicyForce  bool
}

type tabLink struct {
	ID, Label, URL string
	Current        bool
}

var repoTabs = []struct{ id, label string }{{"images", "Images"}, {"catalog", "Catalog data"}, {"policy", "Repository policy"}}

// repoHeader reads the repository (DescribeRepositories) and fills in what
// every tab shows.
func (h *Handler) repoHeader(q *request, name, tab string) (repoData, error) {
	d := repoData{Name: name, Tab: tab, URL: repoURL(name, ""), ActionURL: "/console/ecr/repositories/" + name}
	for _, t := range repoTabs {
		d.Tabs = append(d.Tabs, tabLink{ID: "tab-" + t.id, Label: t.label, URL: repoURL(name, t.id), Current: t.id == tab})
	}
	if err := registry.ValidRepositoryName(name); err != nil {
		return d, err
	}
	info, err := h.Registry.GetRepository(q.ctx(), q.call, registry.Ref{Account: q.call.Subject.Caller.Account, Name: name})
	if err != nil {
		return d, err
	}
	host := h.registryHost(q.r)
	d.Loaded, d.Alias, d.ARN, d.CreatedAt, d.Host = true, info.Alias, info.ARN, info.CreatedAt, host
	d.URI = host + "/" + info.Alias + "/" + name
	d.EndpointURL = h.endpointURL(q.r)
	d.Insecure = strings.HasPrefix(d.EndpointURL, "http://")
	d.Push = []pushCommand{
		{"push-login", "Retrieve an authentication token and authenticate your Docker client to the registry.",
			"aws ecr-public get-login-password --region " + Region + " --endpoint-url " + d.EndpointURL + " | docker login --username AWS --password-stdin " + host},
		{"push-build", "Build your Docker image (skip this step if it is already built).", "docker build -t " + name + " ."},
		{"push-tag", "Tag the image so that you can push it to this repository.", "docker tag " + name + ":latest " + d.URI + ":latest"},
		{"push-push", "Push the image to this repository.", "docker push " + d.URI + ":latest"},
	}
	return d, nil
}

// endpointURL is the server's base URL, what the AWS CLI's --endpoint-url takes.
func (h *Handler) endpointURL(r *http.Request) string {
	if u, err := url.Parse(h.PublicURL); err == nil && u.Host != "" {
		return strings.TrimSuffix(h.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}

func repoTab(q *request) string {
	switch t := q.r.URL.Query().Get("tab"); t {
	case "catalog", "policy":
		return t
	}
	return "images"
}

func (h *Handler) ecrRepository(q *request, name string) {
	tab := repoTab(q)
	d, err := h.repoHeader(q, name, tab)
	p := page{Title: "Repository " + name, Section: "ecr"}
	if err != nil {
		p.Data = d
		h.fail(q, "ecr/repository", p, err)
		return
	}
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	switch tab {
	case "images":
		err = h.loadImages(q, ref, &d)
	case "catalog":
		var c registry.CatalogData
		c, err = h.Registry.GetRepositoryCatalogData(q.ctx(), q.call, ref)
		if err == nil {
			d.Catalog = newCatalogForm(c.Description, c.AboutText, c.UsageText, c.Architectures, c.OperatingSystems)
			if c.LogoDigest != "" {
				d.Catalog.LogoURL = galleryLogoURL(d.Alias, name)
			}
			d.CatalogLoaded = true
		}
	case "policy":
		var doc string
		doc, err = h.Registry.GetRepositoryPolicy(q.ctx(), q.call, ref)
		if errs.Is(err, errs.NotFound) {
			doc, err = "", nil
		}
		if err == nil {
			d.HasPolicy = doc != ""
			d.Editor = h.newEditor("repository-policy", "policy", "resource", "Repository policy", doc)
			d.PolicyLoaded = true
		}
	}
	p.Data = d
	if err != nil {
		h.fail(q, "ecr/repository", p, err)
		return
	}
	h.show(q, "ecr/repository", p)
}

// loadImages reads every image of the repository (DescribeImages, all
// pages), newest first.
func (h *Handler) loadImages(q *request, ref registry.Ref, d *repoData) error {
	pg := store.Page{Max: 1000}
	for {
		ims, more, err := h.Registry.DescribeImages(q.ctx(), q.call, ref, nil, pg)
		if err != nil {
			return err
		}
		for _, im := range ims {
			row := imageRow{Digest: im.Digest, Tags: im.Tags, Size: im.Size, PushedAt: im.PushedAt, MediaType: im.MediaType, ArtifactMediaType: im.ArtifactMediaType}
			if len(im.Tags) > 0 {
				row.Pull = "docker pull " + d.URI + ":" + im.Tags[0]
			} else {
				row.Pull = "docker pull " + d.URI + "@" + im.Digest
			}
			d.Images = append(d.Images, row)
		}
		if !more || len(ims) == 0 {
			break
		}
		pg.Marker = ims[len(ims)-1].Digest
	}
	sort.SliceStable(d.Images, func(i, j int) bool { return d.Images[i].PushedAt.After(d.Images[j].PushedAt) })
	for i := range d.Images {
		d.Images[i].PullID = "pull-" + strconv.Itoa(i)
	}
	d.ImagesLoaded = true
	return nil
}

// ecrRepositoryAction handles the repository page's forms; the "action"
// field says which.
func (h *Handler) ecrRepositoryAction(q *request) {
	name := q.r.PathValue("name")
	switch q.r.PostFormValue("action") {
	case "delete-images":
		h.ecrDeleteImages(q, name)
	case "catalog", "preview":
		h.ecrPutCatalog(q, name)
	case "policy":
		h.ecrSetPolicy(q, name)
	case "delete-policy":
		h.ecrDeletePolicy(q, name)
	case "delete":
		h.ecrDeleteRepository(q, name)
	default:
		h.fail(q, "", page{Title: "Repository " + name, Section: "ecr"}, errs.Coded(errs.Invalid, "InvalidAction", "The form's action %q is not one this page knows.", q.r.PostFormValue("action")))
	}
}

// actionFailed re-renders the repository page on tab with err: the header
// is read again (a read), the tab shows what the user submitted.
func (h *Handler) actionFailed(q *request, name, tab string, fill func(*repoData), err error) {
	d, herr := h.repoHeader(q, name, tab)
	p := page{Title: "Repository " + name, Section: "ecr"}
	if herr != nil {
		p.Data = d
		h.fail(q, "ecr/repository", p, herr)
		return
	}
	if fill != nil {
		fill(&d)
	}
	p.Data = d
	h.fail(q, "ecr/repository", p, err)
}

func (h *Handler) ecrDeleteImages(q *request, name string) {
	var ids []registry.ImageID
	for _, dg := range nonEmpty(q.r.PostForm["image"]) {
		ids = append(ids, registry.ImageID{Digest: dg})
	}
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	refill := func(d *repoData) { _ = h.loadImages(q, ref, d) }
	if len(ids) == 0 {
		h.actionFailed(q, name, "images", refill, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "Select at least one image to delete."))
		return
	}
	_, failures, err := h.Registry.BatchDeleteImage(q.ctx(), q.call, ref, ids)
	if err != nil {
		h.actionFailed(q, name, "images", refill, err)
		return
	}
	if len(failures) > 0 {
		var reasons []string
		for _, f := range failures {
			reasons = append(reasons, shortDigest(f.ID.Digest)+": "+f.Reason+" ("+f.Code+")")
		}
		h.actionFailed(q, name, "images", refill, errs.Coded(errs.Conflict, failures[0].Code,
			"%d of %d selected images were not deleted: %s", len(failures), len(ids), strings.Join(reasons, "; ")))
		return
	}
	redirect(q, repoURL(name, "images"), plural(len(ids), "image")+" deleted.")
}

func (h *Handler) ecrPutCatalog(q *request, name string) {
	form, in := postedCatalog(q.r)
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	keepLogo := q.r.PostFormValue("logo_remove") != "1"
	fill := func(d *repoData) {
		d.Catalog, d.CatalogLoaded = form, true
		if keepLogo && q.r.PostFormValue("has_logo") == "1" {
			d.Catalog.LogoURL = galleryLogoURL(d.Alias, name)
		}
	}
	if q.r.PostFormValue("action") == "preview" {
		// Show the rendered Markdown without saving anything.
		d, err := h.repoHeader(q, name, "catalog")
		p := page{Title: "Repository " + name, Section: "ecr"}
		if err != nil {
			p.Data = d
			h.fail(q, "ecr/repository", p, err)
			return
		}
		fill(&d)
		d.Previewing = true
		p.Data = d
		p.Flash = "Preview only: the catalog data is not saved yet."
		h.show(q, "ecr/repository", p)
		return
	}
	logo, err := postedLogo(q.r)
	if err != nil {
		h.actionFailed(q, name, "catalog", fill, err)
		return
	}
	// PutRepositoryCatalogData replaces all of the catalog data, the logo
	// included: without a new logo, send the current one back unless the
	// user asked to remove it. The logo is public (the gallery serves it
	// to anyone), so reading it needs no authorization; the session's
	// account (read afresh with every request) names the registry alias.
	if logo == nil && keepLogo && q.sess.Account.Alias != "" {
		cur, _, err := h.Registry.GalleryLogo(q.ctx(), q.sess.Account.Alias, name)
		switch {
		case err == nil:
			logo = cur
		case !errs.Is(err, errs.NotFound):
			// Saving now would drop the logo the user meant to keep.
			h.actionFailed(q, name, "catalog", fill, err)
			return
		}
	}
	in.Logo = logo
	if _, err := h.Registry.PutRepositoryCatalogData(q.ctx(), q.call, ref, in); err != nil {
		h.actionFailed(q, name, "catalog", fill, err)
		return
	}
	redirect(q, repoURL(name, "catalog"), "Catalog data of "+name+" saved.")
}

func (h *Handler) ecrSetPolicy(q *request, name string) {
	doc := normalizeNewlines(q.r.PostFormValue("policy"))
	force := q.r.PostFormValue("force") == "1"
	ed := h.newEditor("repository-policy", "policy", "resource", "Repository policy", doc)
	fill := func(d *repoData) {
		d.Editor, d.PolicyLoaded, d.PolicyForce, d.HasPolicy = ed, true, force, q.r.PostFormValue("has_policy") == "1"
	}
	if strings.TrimSpace(doc) == "" {
		h.actionFailed(q, name, "policy", fill, errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The repository policy is empty: write a JSON policy, or use Delete policy to remove it."))
		return
	}
	if n := countErrors(ed.Findings); n > 0 {
		h.actionFailed(q, name, "policy", fill, errs.Coded(errs.Invalid, registry.CodeInvalidParameter,
			"The repository policy has %s (see Policy validation). Fix every ERROR finding before saving.", plural(n, "error")))
		return
	}
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	if _, err := h.Registry.SetRepositoryPolicy(q.ctx(), q.call, ref, doc, force); err != nil {
		h.actionFailed(q, name, "policy", fill, err)
		return
	}
	msg := "Repository policy of " + name + " saved."
	if n := len(ed.Findings); n > 0 {
		msg = "Repository policy of " + name + " saved with " + plural(n, "finding") + " to review."
	}
	redirect(q, repoURL(name, "policy"), msg)
}

func countErrors(fs []finding) int {
	n := 0
	for _, f := range fs {
		if f.Type == string(policy.FindingError) {
			n++
		}
	}
	return n
}

func (h *Handler) ecrDeletePolicy(q *request, name string) {
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	if _, err := h.Registry.DeleteRepositoryPolicy(q.ctx(), q.call, ref); err != nil {
		h.actionFailed(q, name, "policy", func(d *repoData) {
			d.Editor = h.newEditor("repository-policy", "policy", "resource", "Repository policy", "")
			d.PolicyLoaded = true
		}, err)
		return
	}
	redirect(q, repoURL(name, "policy"), "Repository policy of "+name+" deleted.")
}

func (h *Handler) ecrDeleteRepository(q *request, name string) {
	force := q.r.PostFormValue("force") == "1"
	ref := registry.Ref{Account: q.call.Subject.Caller.Account, Name: name}
	if _, err := h.Registry.DeleteRepository(q.ctx(), q.call, ref, force); err != nil {
		h.actionFailed(q, name, "images", func(d *repoData) { _ = h.loadImages(q, ref, d) }, err)
		return
	}
	redirect(q, "/console/ecr/repositories", "Repository "+name+" deleted.")
}

// ---- registry settings ----

type registryData struct {
	Loaded      bool
	Info        registry.RegistryInfo
	DisplayName string
	// AliasInput and DisplayNameInput are what the forms show (the
	// submitted values after a failure).
	AliasInput       string
	DisplayNameInput string
	GalleryURL       string
}

// reservedAliases are aliases the console's own URLs need: the gallery
// serves logos under /gallery/logo/.
var reservedAliases = []string{"logo"}

func (h *Handler) loadRegistry(q *request) (registryData, error) {
	var d registryData
	info, err := h.Registry.DescribeRegistry(q.ctx(), q.call)
	if err != nil {
		return d, err
	}
	d.Info, d.AliasInput = info, info.Alias
	if info.Alias != "" {
		d.Info.URI = h.registryHost(q.r) + "/" + info.Alias
		d.GalleryURL = "/gallery/?q=" + url.QueryEscape(info.Alias)
	}
	name, err := h.Registry.GetRegistryCatalogData(q.ctx(), q.call)
	if err != nil {
		return d, err
	}
	d.Loaded, d.DisplayName, d.DisplayNameInput = true, name, name
	return d, nil
}

func (h *Handler) ecrRegistry(q *request) {
	d, err := h.loadRegistry(q)
	p := page{Title: "Registry settings", Section: "ecr", Data: d}
	if err != nil {
		h.fail(q, "ecr/registry", p, err)
		return
	}
	h.show(q, "ecr/registry", p)
}

func (h *Handler) ecrRegistryAction(q *request) {
	action := q.r.PostFormValue("action")
	alias := strings.TrimSpace(q.r.PostFormValue("alias"))
	display := strings.TrimSpace(q.r.PostFormValue("display_name"))
	failed := func(err error) {
		d, rerr := h.loadRegistry(q)
		if rerr == nil {
			switch action {
			case "alias":
				d.AliasInput = alias
			case "display-name":
				d.DisplayNameInput = display
			}
		}
		h.fail(q, "ecr/registry", page{Title: "Registry settings", Section: "ecr", Data: d}, err)
	}
	switch action {
	case "alias":
		if slices.Contains(reservedAliases, alias) {
			failed(errs.Coded(errs.Invalid, registry.CodeInvalidParameter, "The alias %q is reserved: the public gallery's own addresses use it.", alias))
			return
		}
		info, err := h.Registry.SetRegistryAlias(q.ctx(), q.call, alias)
		if err != nil {
			failed(err)
			return
		}
		redirect(q, "/console/ecr/registry", "Registry alias set to "+info.Alias+". Image names are now "+h.registryHost(q.r)+"/"+info.Alias+"/<repository>.")
	case "display-name":
		if _, err := h.Registry.PutRegistryCatalogData(q.ctx(), q.call, display); err != nil {
			failed(err)
			return
		}
		redirect(q, "/console/ecr/registry", "Registry display name saved.")
	default:
		failed(errs.Coded(errs.Invalid, "InvalidAction", "The form's action %q is not one this page knows.", action))
	}
}
