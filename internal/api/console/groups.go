package console

import (
	"slices"
	"strings"

	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/store"
)

// User groups.
//
//	GET  /console/iam/groups                       list
//	GET  /console/iam/create/group                 create form (users, policies)
//	POST /console/iam/groups                       CreateGroup, AddUserToGroup…, AttachPolicy…
//	GET  /console/iam/groups/{name}                members, permissions
//	POST /console/iam/groups/{name}/users          AddUserToGroup
//	POST /console/iam/groups/{name}/users/remove   RemoveUserFromGroup
//	POST /console/iam/groups/{name}/delete         DeleteGroup
//	…/policies, …/policies/detach, …/inline…       see permissionRoutes
func (h *Handler) groupRoutes() []route {
	rs := []route{
		{"GET /console/iam/groups", h.groupsList},
		{"GET /console/iam/create/group", h.groupNew},
		{"POST /console/iam/groups", h.groupCreate},
		{"GET /console/iam/groups/{name}", h.groupView},
		{"POST /console/iam/groups/{name}/users", h.groupAddUser},
		{"POST /console/iam/groups/{name}/users/remove", h.groupRemoveUser},
		{"POST /console/iam/groups/{name}/delete", h.groupDelete},
	}
	return append(rs, h.permissionRoutes(groupArea)...)
}

var groupArea = entityArea{kind: store.KindGroup, base: "/console/iam/groups", label: "group"}

// groupListData is the groups list.
type groupListData struct {
	Groups []groupRow // nil when the list could not be read
	More   bool
}

type groupRow struct {
	store.Group
	ARN string
}

func (h *Handler) groupsList(q *request) {
	d := groupListData{}
	p := page{Title: "User groups", Section: "iam", Data: &d}
	gs, more, err := h.IAM.ListGroups(q.ctx(), q.call, "", iam.Page{MaxItems: 1000})
	if err != nil {
		h.fail(q, "iam/groups", p, err)
		return
	}
	d.Groups, d.More = []groupRow{}, more
	for _, g := range gs {
		d.Groups = append(d.Groups, groupRow{g, h.IAM.GroupARN(g)})
	}
	h.show(q, "iam/groups", p)
}

// groupFormData is the create-group form (and, after a partial failure,
// each step's outcome).
type groupFormData struct {
	Name        string
	Path        string
	Users       []userChoice
	UsersErr    *pageError
	Policies    []policyChoice
	PoliciesErr *pageError
	Steps       []stepResult
	// Created is set when the group exists though a later step failed.
	Created  bool
	GroupURL string
}

// userChoice is a user offered in a form.
type userChoice struct {
	Name    string
	Checked bool
}

func (h *Handler) userChoices(q *request, checked []string, skip map[string]bool) ([]userChoice, *pageError) {
	users, _, err := h.IAM.ListUsers(q.ctx(), q.call, "", iam.Page{MaxItems: 1000})
	if err != nil {
		return nil, toPageError(err)
	}
	out := []userChoice{}
	for _, u := range users {
		if !skip[u.Name] {
			out = append(out, userChoice{Name: u.Name, Checked: slices.Contains(checked, u.Name)})
		}
	}
	return out, nil
}

func (h *Handler) groupForm(q *request, d *groupFormData, users, policies []string) {
	d.Users, d.UsersErr = h.userChoices(q, users, nil)
	d.Policies, d.PoliciesErr = h.policyChoices(q, policies, nil)
}

func (h *Handler) groupNew(q *request) {
	d := groupFormData{}
	h.groupForm(q, &d, nil, nil)
	h.show(q, "iam/group-new", page{Title: "Create user group", Section: "iam", Data: &d})
}

func (h *Handler) groupCreate(q *request) {
	f := q.r.PostForm
	d := groupFormData{Name: strings.TrimSpace(f.Get("name")), Path: strings.TrimSpace(f.Get("path"))}
	users, policies := f["user"], f["policy"]
	p := page{Title: "Create user group", Section: "iam", Data: &d}
	if d.Name == "" {
		h.groupForm(q, &d, users, policies)
		h.fail(q, "iam/group-new", p, errs.Coded(errs.Invalid, "ValidationError", "Enter a group name: 1 to 128 letters, digits and +=,.@_-."))
		return
	}
	g, err := h.IAM.CreateGroup(q.ctx(), q.call, d.Name, d.Path)
	if err != nil {
		h.groupForm(q, &d, users, policies)
		h.fail(q, "iam/group-new", p, err)
		return
	}
	d.Created, d.GroupURL = true, groupArea.url(g.Name)
	steps := []stepResult{{Step: "Create group " + g.Name}}
	errList := []error{nil}
	s, e := h.attachEach(q, users, func(u string) (string, error) {
		return "Add user " + u, h.IAM.AddUserToGroup(q.ctx(), q.call, g.Name, u)
	})
	steps, errList = append(steps, s...), append(errList, e...)
	s, e = h.attachEach(q, policies, func(arn string) (string, error) {
		return "Attach " + policyNameOf(arn), h.IAM.AttachPolicy(q.ctx(), q.call, store.KindGroup, g.Name, arn)
	})
	steps, errList = append(steps, s...), append(errList, e...)
	if err := firstStepErr(steps, errList); err != nil {
		d.Steps = steps
		h.fail(q, "iam/group-result", p, err)
		return
	}
	redirect(q, groupArea.url(g.Name), "User group "+g.Name+" created.")
}

// groupPageData is a group's page.
type groupPageData struct {
	Group      store.Group
	ARN        string
	URL        string
	Members    []store.User
	MembersErr *pageError
	More       bool
	// Others are the users not in the group, for the add form.
	Others    []userChoice
	OthersErr *pageError
	Perms     entityPermissions
}

func (h *Handler) groupView(q *request) { h.showGroup(q, q.r.PathValue("name"), nil) }

// showGroup renders a group's page; actionErr is a failed action's error.
func (h *Handler) showGroup(q *request, name string, actionErr error) {
	g, members, more, err := h.IAM.GetGroup(q.ctx(), q.call, name, iam.Page{MaxItems: 1000})
	if err != nil {
		if actionErr == nil {
			actionErr = err
		}
		h.fail(q, "", page{Title: "User group " + name, Section: "iam"}, actionErr)
		return
	}
	d := groupPageData{Group: g, ARN: h.IAM.GroupARN(g), URL: groupArea.url(g.Name), Members: members, More: more}
	in := map[string]bool{}
	for _, u := range members {
		in[u.Name] = true
	}
	d.Others, d.OthersErr = h.userChoices(q, nil, in)
	d.Perms = h.loadPermissions(q, store.KindGroup, g.Name)
	p := page{Title: g.Name, Section: "iam", Data: &d}
	if actionErr != nil {
		h.fail(q, "iam/group", p, actionErr)
		return
	}
	h.show(q, "iam/group", p)
}

func (h *Handler) groupAddUser(q *request) {
	name := q.r.PathValue("name")
	users := q.r.PostForm["user"]
	if len(users) == 0 {
		h.showGroup(q, name, errs.Coded(errs.Invalid, "ValidationError", "Choose a user to add to the group."))
		return
	}
	steps, errList := h.attachEach(q, users, func(u string) (string, error) {
		return "Add user " + u, h.IAM.AddUserToGroup(q.ctx(), q.call, name, u)
	})
	if err := firstStepErr(steps, errList); err != nil {
		h.showGroup(q, name, stepsError(steps, err))
		return
	}
	redirect(q, groupArea.url(name), "Added "+strings.Join(users, ", ")+" to the group.")
}

func (h *Handler) groupRemoveUser(q *request) {
	name, user := q.r.PathValue("name"), q.r.PostFormValue("user")
	if err := h.IAM.RemoveUserFromGroup(q.ctx(), q.call, name, user); err != nil {
		h.showGroup(q, name, err)
		return
	}
	redirect(q, groupArea.url(name), "Removed "+user+" from the group.")
}

func (h *Handler) groupDelete(q *request) {
	name := q.r.PathValue("name")
	if err := h.IAM.DeleteGroup(q.ctx(), q.call, name); err != nil {
		h.showGroup(q, name, err)
		return
	}
	redirect(q, "/console/iam/groups", "User group "+name+" deleted.")
}
