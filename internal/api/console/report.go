package console

import (
	"bytes"
	"encoding/csv"
	"errors"
	"strconv"
	"time"

	"github.com/wharf-project/wharf/internal/errs"
)

// The credential report: IAM's CSV of every user's passwords and access
// keys, generated on request (GenerateCredentialReport) and read back
// (GetCredentialReport), shown as a table and offered as the CSV file.

func (h *Handler) reportRoutes() []route {
	return []route{
		{"GET /console/iam/credential-report", h.reportPage},
		{"POST /console/iam/credential-report", h.reportGenerate},
		{"GET /console/iam/credential-report.csv", h.reportDownload},
	}
}

type reportData struct {
	// Present is false until a report has been generated.
	Present   bool
	Generated time.Time
	Header    []string
	Rows      [][]string
	// FileName is what the download is saved as.
	FileName string
}

// reportFileName is the name the AWS console gives the downloaded report.
func reportFileName(t time.Time) string {
	return "status_reports_" + t.UTC().Format("2006-01-02T15_04_05") + "+00_00.csv"
}

// reportLoad reads the report. ReportNotPresent is not a failure: the page
// then offers to generate one.
func (h *Handler) reportLoad(q *request) (*reportData, error) {
	d := &reportData{}
	r, err := h.IAM.GetCredentialReport(q.ctx(), q.call)
	if err != nil {
		if e := (*errs.Error)(nil); errors.As(err, &e) && e.Code == "ReportNotPresent" {
			return d, nil
		}
		return d, err
	}
	records, err := csv.NewReader(bytes.NewReader(r.Content)).ReadAll()
	if err != nil {
		return d, errs.E(errs.Internal, "the credential report does not parse as CSV: %v", err)
	}
	d.Present, d.Generated, d.FileName = true, r.GeneratedTime, reportFileName(r.GeneratedTime)
	if len(records) > 0 {
		d.Header, d.Rows = records[0], records[1:]
	}
	return d, nil
}

func (h *Handler) reportPage(q *request) {
	d, err := h.reportLoad(q)
	p := page{Title: "Credential report", Section: "iam", Data: d}
	if err != nil {
		h.fail(q, "iam/credential-report", p, err)
		return
	}
	h.show(q, "iam/credential-report", p)
}

func (h *Handler) reportGenerate(q *request) {
	st, err := h.IAM.GenerateCredentialReport(q.ctx(), q.call)
	if err != nil {
		d, _ := h.reportLoad(q)
		h.fail(q, "iam/credential-report", page{Title: "Credential report", Section: "iam", Data: d}, err)
		return
	}
	redirect(q, "/console/iam/credential-report", st.Description)
}

func (h *Handler) reportDownload(q *request) {
	r, err := h.IAM.GetCredentialReport(q.ctx(), q.call)
	if err != nil {
		h.fail(q, "iam/credential-report", page{Title: "Credential report", Section: "iam", Data: &reportData{}}, err)
		return
	}
	hdr := q.w.Header()
	hdr.Set("Content-Type", "text/csv")
	hdr.Set("Content-Disposition", `attachment; filename="`+reportFileName(r.GeneratedTime)+`"`)
	hdr.Set("Content-Length", strconv.Itoa(len(r.Content)))
	hdr.Set("Cache-Control", "no-store")
	_, _ = q.w.Write(r.Content)
}
