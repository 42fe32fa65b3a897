// Package web holds the console's templates and static assets, embedded into
// the wharf binary: no separate front-end build is needed to run it.
//
//	templates/layout.html        the page shell (header, navigation, panels)
//	templates/partials/*.html    shared pieces (error panel, pagination…)
//	templates/<area>/<page>.html one page each; defines "title" and "content"
//	static/                      CSS and JavaScript, served at /console/static/
//
// Scripts only enhance: every task works with forms and links alone.
package web

import "embed"

// FS is the embedded templates and static files.
//
//go:embed templates static
var FS embed.FS
