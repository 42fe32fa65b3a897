package console

import (
	"context"
	"io"
	"net/http"
	"sort"
	"strings"
	"testing"

	"github.com/opencontainers/go-digest"

	"github.com/wharf-project/wharf/internal/registry"
)

// anonGet fetches a gallery address without any session.
func anonGet(t *testing.T, e *testEnv, path string, hdr ...string) (*http.Response, string) {
	t.Helper()
	req, _ := http.NewRequest(http.MethodGet, e.URL+path, nil)
	for i := 0; i+1 < len(hdr); i += 2 {
		req.Header.Set(hdr[i], hdr[i+1])
	}
	client := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

func TestGalleryAnonymous(t *testing.T) {
	e := newTestEnv(t)
	ctx := context.Background()
	web := e.createRepo("project-a/nginx-web-app", registry.CatalogDataInput{Description: "NGINX for project A", Logo: testPNG,
		Architectures: []string{"x86-64"}, OperatingSystems: []string{"Linux"}, AboutText: "# About NGINX", UsageText: "Run `docker run -p 80:80`."})
	e.createRepo("tools", registry.CatalogDataInput{Description: "Handy tools"})
	e.createRepo("bare", registry.CatalogDataInput{})
	alias := web.Alias
	if _, err := e.Registry.PutRegistryCatalogData(ctx, e.Root, "Team A"); err != nil {
		t.Fatal(err)
	}
	e.pushImage("project-a/nginx-web-app", "1.0", []byte("layer one"))
	dLatest := e.pushImage("project-a/nginx-web-app", "latest", []byte("layer two"))
	e.pushImage("tools", "v1", []byte("tools v1"))
	dV2 := e.pushImage("tools", "v2", []byte("tools v2"))

	resp, body := anonGet(t, e, "/gallery/")
	wantStatus(t, "gallery", resp.StatusCode, 200, body)
	wantIn(t, "gallery", body, `id="gallery-search"`, `name="q"`, `href="/gallery/`+alias+`/project-a/nginx-web-app"`,
		`href="/gallery/`+alias+`/tools"`, `href="/gallery/`+alias+`/bare"`, "NGINX for project A", "Team A",
		`<span class="badge">x86-64</span>`, `<span class="badge">Linux</span>`, `src="/gallery/logo/`+alias+`/project-a/nginx-web-app"`)
	if strings.Contains(body, `src="/gallery/logo/`+alias+`/tools"`) {
		t.Error("a repository without a logo has a logo image")
	}
	if strings.Contains(body, testAccount) {
		t.Error("the gallery shows the account ID")
	}
	if resp, _ := anonGet(t, e, "/gallery"); resp.StatusCode != http.StatusFound || resp.Header.Get("Location") != "/gallery/" {
		t.Errorf("/gallery: %d %s", resp.StatusCode, resp.Header.Get("Location"))
	}

	for _, c := range []struct {
		q       string
		want    []string
		notWant []string
	}{
		{"nginx", []string{"/project-a/nginx-web-app\""}, []string{"/tools\"", "/bare\""}},
		{"HANDY", []string{"/tools\""}, []string{"/project-a/nginx-web-app\"", "/bare\""}},
		{alias, []string{"/tools\"", "/bare\"", "/project-a/nginx-web-app\""}, nil},
		{"no-such-thing", []string{`id="gallery-empty"`, "No public repository matches"}, []string{"/tools\""}},
	} {
		resp, body := anonGet(t, e, "/gallery/?q="+c.q)
		wantStatus(t, "search "+c.q, resp.StatusCode, 200, body)
		wantIn(t, "search "+c.q, body, append(c.want, `value="`+c.q+`"`)...)
		for _, s := range c.notWant {
			if strings.Contains(body, `href="/gallery/`+alias+s) {
				t.Errorf("search %q lists %s", c.q, s)
			}
		}
	}

	// A repository page: catalog data, tags, pull command.
	resp, body = anonGet(t, e, "/gallery/"+alias+"/project-a/nginx-web-app")
	wantStatus(t, "repository", resp.StatusCode, 200, body)
	uri := e.host() + "/" + alias + "/project-a/nginx-web-app"
	wantIn(t, "repository", body, `<pre id="pull-command">docker pull `+uri+`:latest</pre>`, `data-copy="#pull-command"`,
		`id="gallery-tags"`, `<code>1.0</code>`, `<code>latest</code>`, `title="`+dLatest+`"`, shortDigest(dLatest),
		"<h3>About NGINX</h3>", "<code>docker run -p 80:80</code>", "NGINX for project A", "Team A")
	if strings.Contains(body, testAccount) || strings.Contains(body, `name="csrf"`) {
		t.Error("the anonymous page shows the account ID or a form")
	}
	// Without "latest", the newest tag.
	_, body = anonGet(t, e, "/gallery/"+alias+"/tools")
	wantIn(t, "tools", body, `<pre id="pull-command">docker pull `+e.host()+"/"+alias+`/tools:v2</pre>`, shortDigest(dV2))
	_, body = anonGet(t, e, "/gallery/"+alias+"/bare")
	wantIn(t, "bare", body, `:latest</pre>`, "No tagged image has been pushed yet", "No tagged images yet")

	// Errors.
	resp, body = anonGet(t, e, "/gallery/"+alias+"/nosuch")
	wantStatus(t, "missing repository", resp.StatusCode, http.StatusNotFound, body)
	wantIn(t, "missing repository", body, "RepositoryNotFound")
	resp, body = anonGet(t, e, "/gallery/"+alias+"/UPPER")
	wantStatus(t, "invalid name", resp.StatusCode, http.StatusBadRequest, body)
	resp, body = anonGet(t, e, "/gallery/nosuchalias/app")
	wantStatus(t, "unknown alias", resp.StatusCode, http.StatusNotFound, body)

	// The logo: sniffed type, nosniff, cacheable, conditional.
	resp, body = anonGet(t, e, "/gallery/logo/"+alias+"/project-a/nginx-web-app")
	wantStatus(t, "logo", resp.StatusCode, 200, body)
	if body != string(testPNG) || resp.Header.Get("Content-Type") != "image/png" || resp.Header.Get("X-Content-Type-Options") != "nosniff" ||
		!strings.Contains(resp.Header.Get("Cache-Control"), "max-age") {
		t.Fatalf("logo: %q %v", body, resp.Header)
	}
	etag := resp.Header.Get("ETag")
	if etag != `"`+digest.FromBytes(testPNG).String()+`"` {
		t.Fatalf("logo ETag = %q", etag)
	}
	if resp, _ := anonGet(t, e, "/gallery/logo/"+alias+"/project-a/nginx-web-app", "If-None-Match", etag); resp.StatusCode != http.StatusNotModified {
		t.Fatalf("conditional logo: %d", resp.StatusCode)
	}
	resp, body = anonGet(t, e, "/gallery/logo/"+alias+"/tools")
	wantStatus(t, "no logo", resp.StatusCode, http.StatusNotFound, body)
	// A "logo" the API stored that is not an image is not served as one.
	if _, err := e.Registry.PutRepositoryCatalogData(ctx, e.Root, e.ref("bare"), registry.CatalogDataInput{Logo: []byte("<html><script>alert(1)</script></html>")}); err != nil {
		t.Fatal(err)
	}
	resp, body = anonGet(t, e, "/gallery/logo/"+alias+"/bare")
	wantStatus(t, "html logo", resp.StatusCode, http.StatusNotFound, body)
	if strings.Contains(body, "<script") {
		t.Fatal("the HTML logo's bytes were served")
	}
}

func TestGalleryPaging(t *testing.T) {
	e := newTestEnv(t)
	var names []string
	for i := 0; i < galleryPageSize+3; i++ {
		n := "repo-" + string(rune('a'+i/26)) + string(rune('a'+i%26))
		names = append(names, n)
		e.createRepo(n, registry.CatalogDataInput{})
	}
	sort.Strings(names)
	_, body := anonGet(t, e, "/gallery/")
	wantIn(t, "page 1", body, `id="gallery-next"`, names[galleryPageSize-1]+`"`)
	if strings.Contains(body, names[galleryPageSize]+`"`) {
		t.Fatal("page 1 holds more than a page")
	}
	i := strings.Index(body, `id="gallery-next" href="`)
	next := body[i+len(`id="gallery-next" href="`):]
	next = strings.ReplaceAll(next[:strings.IndexByte(next, '"')], "&amp;", "&")
	_, body = anonGet(t, e, next)
	wantIn(t, "page 2", body, names[galleryPageSize]+`"`, names[len(names)-1]+`"`)
	if strings.Contains(body, `id="gallery-next"`) || strings.Contains(body, names[0]+`"`) {
		t.Fatal("page 2 is wrong")
	}
}

// Markdown in catalog data is rendered inert on the anonymous page.
func TestGalleryMarkdownXSS(t *testing.T) {
	e := newTestEnv(t)
	var about []string
	for _, md := range xssCases {
		about = append(about, md)
	}
	md := strings.Join(about, "\n\n")
	info := e.createRepo("evil", registry.CatalogDataInput{AboutText: md, UsageText: md, Description: `<script>alert("d")</script>`})
	resp, body := anonGet(t, e, "/gallery/"+info.Alias+"/evil")
	wantStatus(t, "evil page", resp.StatusCode, 200, body)
	for _, id := range []string{"gallery-about", "gallery-usage"} {
		i := strings.Index(body, `id="`+id+`">`)
		if i < 0 {
			t.Fatalf("no #%s:\n%s", id, body)
		}
		section := body[i:]
		section = section[:strings.Index(section, "</section>")]
		if msg := unsafeHTML(section); msg != "" {
			t.Errorf("#%s is not inert: %s\n%s", id, msg, section)
		}
	}
	// The only script on the page is the console's own.
	if n := strings.Count(strings.ToLower(body), "<script"); n != 1 || !strings.Contains(body, `<script src="/console/static/wharf.js" defer></script>`) {
		t.Errorf("%d <script elements on the page", n)
	}
	if !strings.Contains(body, `&lt;script&gt;alert(&#34;d&#34;)&lt;/script&gt;`) {
		t.Error("the description is not escaped text")
	}
	// The console's preview is as inert.
	b := e.rootBrowser()
	_, body = b.get("/console/ecr/repositories/evil?tab=catalog")
	i := strings.Index(body, `id="catalog-rendered"`)
	section := body[i:]
	section = section[:strings.Index(section, "</section>")]
	if msg := unsafeHTML(section); msg != "" {
		t.Errorf("the console preview is not inert: %s", msg)
	}
}
