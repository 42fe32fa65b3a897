// Package iamquery is the IAM wire adapter: AWS Query protocol requests
// (Action=…&Version=2010-05-08) decoded into internal/iam calls, results
// rendered as botocore's XML shapes, errors through awsquery's one table.
// No business rules live here.
package iamquery

import (
	"context"
	"strings"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/iam"
	"github.com/wharf-project/wharf/internal/policy"
	"github.com/wharf-project/wharf/internal/store"
)

// Namespace is IAM's XML namespace.
const Namespace = "https://iam.amazonaws.com/doc/2010-05-08/"

// Version is the API version of the Query requests this adapter serves.
const Version = "2010-05-08"

// Handler serves IAM operations.
type Handler struct {
	svc *iam.Service
	ops map[string]op
}

type op func(ctx context.Context, call *authz.Call, f awsquery.Form) (any, error)

// New returns the IAM adapter.
func New(svc *iam.Service) *Handler {
	h := &Handler{svc: svc}
	h.ops = h.table()
	return h
}

// Serve runs one already-authenticated request and returns the HTTP status
// and XML body.
func (h *Handler) Serve(ctx context.Context, call *authz.Call, f awsquery.Form, requestID string) (int, []byte) {
	action := f.Get("Action")
	o, ok := h.ops[action]
	if !ok {
		code, msg := "InvalidAction", "Could not find operation "+action+" for version "+Version
		if action == "" {
			code, msg = "MissingAction", "Missing Action"
		}
		return awsquery.Status(code), awsquery.ErrorXML(Namespace, code, msg, requestID, 400)
	}
	result, err := o(ctx, call, f)
	if err != nil {
		return Error(err, requestID)
	}
	body, err := awsquery.ResponseXML(Namespace, action, result, requestID)
	if err != nil {
		return Error(err, requestID)
	}
	return 200, body
}

// Error renders an error as IAM does.
func Error(err error, requestID string) (int, []byte) {
	code, status, msg := awsquery.CodeOf(err)
	return status, awsquery.ErrorXML(Namespace, code, msg, requestID, status)
}

// Has reports whether action is an IAM operation this adapter serves.
func (h *Handler) Has(action string) bool { _, ok := h.ops[action]; return ok }

func page(f awsquery.Form) (iam.Page, error) {
	n, err := f.Int("MaxItems")
	return iam.Page{Marker: f.Get("Marker"), MaxItems: n}, err
}

func formTags(f awsquery.Form) []store.Tag {
	var out []store.Tag
	for _, m := range f.Structs("Tags") {
		out = append(out, store.Tag{Key: m["Key"], Value: m["Value"]})
	}
	return out
}

type listResult struct {
	IsTruncated bool   `xml:"IsTruncated"`
	Marker      string `xml:"Marker,omitempty"`
}

// listed renders a page of items, and the truncation marker after its last one.
func listed[T, X any](items []T, more bool, render func(T) X, marker func(T) string) ([]X, listResult) {
	out := make([]X, 0, len(items))
	for _, it := range items {
		out = append(out, render(it))
	}
	var lr listResult
	if len(items) > 0 {
		lr = truncated(more, marker(items[len(items)-1]))
	}
	return out, lr
}

func truncated(more bool, last string) listResult {
	if !more {
		return listResult{}
	}
	return listResult{IsTruncated: true, Marker: last}
}

// req reads required parameters in order, failing on the first missing one.
func req(f awsquery.Form, names ...string) ([]string, error) {
	out := make([]string, len(names))
	for i, n := range names {
		v, err := f.Required(n)
		if err != nil {
			return nil, err
		}
		out[i] = v
	}
	return out, nil
}

func (h *Handler) table() map[string]op {
	s := h.svc
	t := map[string]op{
		"CreateUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			u, err := s.CreateUser(ctx, c, iam.CreateUserInput{UserName: name, Path: f.Get("Path"), PermissionsBoundary: f.Get("PermissionsBoundary"), Tags: formTags(f)})
			if err != nil {
				return nil, err
			}
			return struct {
				User xUser `xml:"User"`
			}{user(s, u)}, nil
		},
		"GetUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			u, err := s.GetUser(ctx, c, f.Get("UserName"))
			if err != nil {
				return nil, err
			}
			x := user(s, u)
			if u.Name == "" { // the root user
				x.Arn = "arn:aws:iam::" + u.AccountID + ":root"
			}
			return struct {
				User xUser `xml:"User"`
			}{x}, nil
		},
		"ListUsers": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			us, more, err := s.ListUsers(ctx, c, f.Get("PathPrefix"), p)
			if err != nil {
				return nil, err
			}
			users, lr := listed(us, more, func(u store.User) xUser { return user(s, u) }, func(u store.User) string { return u.Name })
			return struct {
				Users []xUser `xml:"Users>member"`
				listResult
			}{users, lr}, nil
		},
		"UpdateUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.UpdateUser(ctx, c, name, f.Get("NewUserName"), f.Get("NewPath"))
		},
		"DeleteUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.DeleteUser(ctx, c, name)
		},
		"TagUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.TagUser(ctx, c, name, formTags(f))
		},
		"UntagUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.UntagUser(ctx, c, name, f.List("TagKeys"))
		},
		"ListUserTags": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			return tagPage(s.ListUserTags(ctx, c, name, p))
		},

		"CreateAccessKey": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			k, err := s.CreateAccessKey(ctx, c, f.Get("UserName"))
			if err != nil {
				return nil, err
			}
			return struct {
				AccessKey xAccessKey `xml:"AccessKey"`
			}{xAccessKey{k.UserName, k.ID, string(k.Status), k.Secret, awsquery.Time(k.CreatedAt)}}, nil
		},
		"ListAccessKeys": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			keys, owner, err := s.ListAccessKeys(ctx, c, f.Get("UserName"))
			if err != nil {
				return nil, err
			}
			r := struct {
				AccessKeyMetadata []xAccessKeyMetadata `xml:"AccessKeyMetadata>member"`
				IsTruncated       bool                 `xml:"IsTruncated"`
			}{AccessKeyMetadata: []xAccessKeyMetadata{}}
			for _, k := range keys {
				r.AccessKeyMetadata = append(r.AccessKeyMetadata, xAccessKeyMetadata{owner, k.ID, string(k.Status), awsquery.Time(k.CreatedAt)})
			}
			return r, nil
		},
		"UpdateAccessKey": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "AccessKeyId", "Status")
			if err != nil {
				return nil, err
			}
			return nil, s.UpdateAccessKey(ctx, c, f.Get("UserName"), v[0], v[1])
		},
		"DeleteAccessKey": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			id, err := f.Required("AccessKeyId")
			if err != nil {
				return nil, err
			}
			return nil, s.DeleteAccessKey(ctx, c, f.Get("UserName"), id)
		},
		"GetAccessKeyLastUsed": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			id, err := f.Required("AccessKeyId")
			if err != nil {
				return nil, err
			}
			k, err := s.GetAccessKeyLastUsed(ctx, c, id)
			if err != nil {
				return nil, err
			}
			type lastUsed struct {
				LastUsedDate *awsquery.Time `xml:"LastUsedDate,omitempty"`
				ServiceName  string         `xml:"ServiceName"`
				Region       string         `xml:"Region"`
			}
			lu := lastUsed{LastUsedDate: awsquery.TimePtr(k.LastUsedAt), ServiceName: k.LastUsedService, Region: k.LastUsedRegion}
			if k.LastUsedAt.IsZero() {
				lu.ServiceName, lu.Region = "N/A", "N/A"
			}
			return struct {
				UserName          string   `xml:"UserName,omitempty"`
				AccessKeyLastUsed lastUsed `xml:"AccessKeyLastUsed"`
			}{k.UserName, lu}, nil
		},

		"CreateGroup": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("GroupName")
			if err != nil {
				return nil, err
			}
			g, err := s.CreateGroup(ctx, c, name, f.Get("Path"))
			if err != nil {
				return nil, err
			}
			return struct {
				Group xGroup `xml:"Group"`
			}{group(s, g)}, nil
		},
		"GetGroup": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("GroupName")
			if err != nil {
				return nil, err
			}
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			g, us, more, err := s.GetGroup(ctx, c, name, p)
			if err != nil {
				return nil, err
			}
			users, lr := listed(us, more, func(u store.User) xUser { return user(s, u) }, func(u store.User) string { return u.Name })
			return struct {
				Group xGroup  `xml:"Group"`
				Users []xUser `xml:"Users>member"`
				listResult
			}{group(s, g), users, lr}, nil
		},
		"ListGroups": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			gs, more, err := s.ListGroups(ctx, c, f.Get("PathPrefix"), p)
			return groupList(s, gs, more, err)
		},
		"ListGroupsForUser": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("UserName")
			if err != nil {
				return nil, err
			}
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			gs, more, err := s.ListGroupsForUser(ctx, c, name, p)
			return groupList(s, gs, more, err)
		},
		"AddUserToGroup": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "GroupName", "UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.AddUserToGroup(ctx, c, v[0], v[1])
		},
		"RemoveUserFromGroup": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "GroupName", "UserName")
			if err != nil {
				return nil, err
			}
			return nil, s.RemoveUserFromGroup(ctx, c, v[0], v[1])
		},
		"DeleteGroup": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("GroupName")
			if err != nil {
				return nil, err
			}
			return nil, s.DeleteGroup(ctx, c, name)
		},

		"CreateRole": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "RoleName", "AssumeRolePolicyDocument")
			if err != nil {
				return nil, err
			}
			msd, err := f.Int("MaxSessionDuration")
			if err != nil {
				return nil, err
			}
			r, err := s.CreateRole(ctx, c, iam.CreateRoleInput{RoleName: v[0], AssumeRolePolicyDocument: v[1], Path: f.Get("Path"), Description: f.Get("Description"),
				MaxSessionDuration: msd, PermissionsBoundary: f.Get("PermissionsBoundary"), Tags: formTags(f)})
			if err != nil {
				return nil, err
			}
			return struct {
				Role xRole `xml:"Role"`
			}{role(s, r)}, nil
		},
		"GetRole": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("RoleName")
			if err != nil {
				return nil, err
			}
			r, err := s.GetRole(ctx, c, name)
			if err != nil {
				return nil, err
			}
			x := role(s, r)
			x.RoleLastUsed = &xRoleLastUsed{LastUsedDate: awsquery.TimePtr(r.LastUsedAt), Region: r.LastUsedRegion}
			return struct {
				Role xRole `xml:"Role"`
			}{x}, nil
		},
		"ListRoles": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			rs, more, err := s.ListRoles(ctx, c, f.Get("PathPrefix"), p)
			if err != nil {
				return nil, err
			}
			roles, lr := listed(rs, more, func(r store.Role) xRole { return role(s, r) }, func(r store.Role) string { return r.Name })
			return struct {
				Roles []xRole `xml:"Roles>member"`
				listResult
			}{roles, lr}, nil
		},
		"UpdateAssumeRolePolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "RoleName", "PolicyDocument")
			if err != nil {
				return nil, err
			}
			return nil, s.UpdateAssumeRolePolicy(ctx, c, v[0], v[1])
		},
		"DeleteRole": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required("RoleName")
			if err != nil {
				return nil, err
			}
			return nil, s.DeleteRole(ctx, c, name)
		},

		"CreatePolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "PolicyName", "PolicyDocument")
			if err != nil {
				return nil, err
			}
			p, err := s.CreatePolicy(ctx, c, iam.CreatePolicyInput{PolicyName: v[0], PolicyDocument: v[1], Path: f.Get("Path"), Description: f.Get("Description"), Tags: formTags(f)})
			if err != nil {
				return nil, err
			}
			return struct {
				Policy xPolicy `xml:"Policy"`
			}{managed(p, 0, 0)}, nil
		},
		"GetPolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			arn, err := f.Required("PolicyArn")
			if err != nil {
				return nil, err
			}
			p, err := s.GetPolicy(ctx, c, arn)
			if err != nil {
				return nil, err
			}
			return struct {
				Policy xPolicy `xml:"Policy"`
			}{managed(p.ManagedPolicy, p.AttachmentCount, p.BoundaryUsageCount)}, nil
		},
		"ListPolicies": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			p, err := page(f)
			if err != nil {
				return nil, err
			}
			only, err := f.Bool("OnlyAttached")
			if err != nil {
				return nil, err
			}
			ps, more, err := s.ListPolicies(ctx, c, f.Get("Scope"), f.Get("PathPrefix"), only, p)
			if err != nil {
				return nil, err
			}
			policies, lr := listed(ps, more, func(p iam.PolicyWithCount) xPolicy {
				return managed(p.ManagedPolicy, p.AttachmentCount, p.BoundaryUsageCount)
			}, func(p iam.PolicyWithCount) string { return p.ARN })
			return struct {
				Policies []xPolicy `xml:"Policies>member"`
				listResult
			}{policies, lr}, nil
		},
		"DeletePolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			arn, err := f.Required("PolicyArn")
			if err != nil {
				return nil, err
			}
			return nil, s.DeletePolicy(ctx, c, arn)
		},
		"CreatePolicyVersion": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "PolicyArn", "PolicyDocument")
			if err != nil {
				return nil, err
			}
			def, err := f.Bool("SetAsDefault")
			if err != nil {
				return nil, err
			}
			pv, err := s.CreatePolicyVersion(ctx, c, v[0], v[1], def)
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyVersion xPolicyVersion `xml:"PolicyVersion"`
			}{xPolicyVersion{VersionId: pv.VersionID, IsDefaultVersion: def, CreateDate: awsquery.Time(pv.CreatedAt)}}, nil
		},
		"GetPolicyVersion": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "PolicyArn", "VersionId")
			if err != nil {
				return nil, err
			}
			pv, def, err := s.GetPolicyVersion(ctx, c, v[0], v[1])
			if err != nil {
				return nil, err
			}
			return struct {
				PolicyVersion xPolicyVersion `xml:"PolicyVersion"`
			}{xPolicyVersion{awsquery.EncodePolicy(pv.Document), pv.VersionID, def, awsquery.Time(pv.CreatedAt)}}, nil
		},
		"ListPolicyVersions": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			arn, err := f.Required("PolicyArn")
			if err != nil {
				return nil, err
			}
			vs, def, err := s.ListPolicyVersions(ctx, c, arn)
			if err != nil {
				return nil, err
			}
			r := struct {
				Versions    []xPolicyVersion `xml:"Versions>member"`
				IsTruncated bool             `xml:"IsTruncated"`
			}{Versions: []xPolicyVersion{}}
			for _, v := range vs {
				r.Versions = append(r.Versions, xPolicyVersion{VersionId: v.VersionID, IsDefaultVersion: v.VersionID == def, CreateDate: awsquery.Time(v.CreatedAt)})
			}
			return r, nil
		},
		"DeletePolicyVersion": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "PolicyArn", "VersionId")
			if err != nil {
				return nil, err
			}
			return nil, s.DeletePolicyVersion(ctx, c, v[0], v[1])
		},
		"SetDefaultPolicyVersion": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, "PolicyArn", "VersionId")
			if err != nil {
				return nil, err
			}
			return nil, s.SetDefaultPolicyVersion(ctx, c, v[0], v[1])
		},
		"ListEntitiesForPolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			arn, err := f.Required("PolicyArn")
			if err != nil {
				return nil, err
			}
			us, gs, rs, err := s.ListEntitiesForPolicy(ctx, c, arn)
			if err != nil {
				return nil, err
			}
			type pu struct {
				UserName string `xml:"UserName"`
				UserId   string `xml:"UserId"`
			}
			type pg struct {
				GroupName string `xml:"GroupName"`
				GroupId   string `xml:"GroupId"`
			}
			type pr struct {
				RoleName string `xml:"RoleName"`
				RoleId   string `xml:"RoleId"`
			}
			filter := f.Get("EntityFilter")
			r := struct {
				PolicyGroups []pg `xml:"PolicyGroups>member"`
				PolicyUsers  []pu `xml:"PolicyUsers>member"`
				PolicyRoles  []pr `xml:"PolicyRoles>member"`
				IsTruncated  bool `xml:"IsTruncated"`
			}{PolicyGroups: []pg{}, PolicyUsers: []pu{}, PolicyRoles: []pr{}}
			for _, u := range us {
				if filter == "" || filter == "User" {
					r.PolicyUsers = append(r.PolicyUsers, pu{u.Name, u.ID})
				}
			}
			for _, g := range gs {
				if filter == "" || filter == "Group" {
					r.PolicyGroups = append(r.PolicyGroups, pg{g.Name, g.ID})
				}
			}
			for _, x := range rs {
				if filter == "" || filter == "Role" {
					r.PolicyRoles = append(r.PolicyRoles, pr{x.Name, x.ID})
				}
			}
			return r, nil
		},
		"SimulateCustomPolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			rs, err := s.SimulateCustomPolicy(ctx, c, simulateInput(f))
			return evaluations(rs, err)
		},
		"SimulatePrincipalPolicy": func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			src, err := f.Required("PolicySourceArn")
			if err != nil {
				return nil, err
			}
			in := simulateInput(f)
			in.PolicySourceArn = src
			rs, err := s.SimulatePrincipalPolicy(ctx, c, in)
			return evaluations(rs, err)
		},
	}
	for _, k := range []store.EntityKind{store.KindUser, store.KindGroup, store.KindRole} {
		h.entityOps(t, k)
	}
	h.accountOps(t)
	return t
}

func title(k store.EntityKind) string { return strings.ToUpper(string(k)[:1]) + string(k)[1:] }

// entityOps adds the operations that exist once per user, group and role.
func (h *Handler) entityOps(t map[string]op, kind store.EntityKind) {
	s := h.svc
	K := title(kind)
	nameParam := K + "Name"
	t["Attach"+K+"Policy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		v, err := req(f, nameParam, "PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.AttachPolicy(ctx, c, kind, v[0], v[1])
	}
	t["Detach"+K+"Policy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		v, err := req(f, nameParam, "PolicyArn")
		if err != nil {
			return nil, err
		}
		return nil, s.DetachPolicy(ctx, c, kind, v[0], v[1])
	}
	t["ListAttached"+K+"Policies"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required(nameParam)
		if err != nil {
			return nil, err
		}
		ps, err := s.ListAttachedPolicies(ctx, c, kind, name, f.Get("PathPrefix"))
		if err != nil {
			return nil, err
		}
		r := struct {
			AttachedPolicies []xAttachedPolicy `xml:"AttachedPolicies>member"`
			IsTruncated      bool              `xml:"IsTruncated"`
		}{AttachedPolicies: []xAttachedPolicy{}}
		for _, p := range ps {
			r.AttachedPolicies = append(r.AttachedPolicies, xAttachedPolicy{p.Name, p.ARN})
		}
		return r, nil
	}
	t["Put"+K+"Policy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		v, err := req(f, nameParam, "PolicyName", "PolicyDocument")
		if err != nil {
			return nil, err
		}
		return nil, s.PutInlinePolicy(ctx, c, kind, v[0], v[1], v[2])
	}
	t["Get"+K+"Policy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		v, err := req(f, nameParam, "PolicyName")
		if err != nil {
			return nil, err
		}
		ip, err := s.GetInlinePolicy(ctx, c, kind, v[0], v[1])
		if err != nil {
			return nil, err
		}
		// The entity's name member is UserName/GroupName/RoleName.
		type result struct {
			UserName       string `xml:"UserName,omitempty"`
			GroupName      string `xml:"GroupName,omitempty"`
			RoleName       string `xml:"RoleName,omitempty"`
			PolicyName     string `xml:"PolicyName"`
			PolicyDocument string `xml:"PolicyDocument"`
		}
		r := result{PolicyName: ip.Name, PolicyDocument: awsquery.EncodePolicy(ip.Document)}
		switch kind {
		case store.KindUser:
			r.UserName = ip.Entity.Name
		case store.KindGroup:
			r.GroupName = ip.Entity.Name
		case store.KindRole:
			r.RoleName = ip.Entity.Name
		}
		return r, nil
	}
	t["List"+K+"Policies"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		name, err := f.Required(nameParam)
		if err != nil {
			return nil, err
		}
		names, err := s.ListInlinePolicies(ctx, c, kind, name)
		if err != nil {
			return nil, err
		}
		return struct {
			PolicyNames []string `xml:"PolicyNames>member"`
			IsTruncated bool     `xml:"IsTruncated"`
		}{append([]string{}, names...), false}, nil
	}
	t["Delete"+K+"Policy"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
		v, err := req(f, nameParam, "PolicyName")
		if err != nil {
			return nil, err
		}
		return nil, s.DeleteInlinePolicy(ctx, c, kind, v[0], v[1])
	}
	if kind != store.KindGroup {
		t["Put"+K+"PermissionsBoundary"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			v, err := req(f, nameParam, "PermissionsBoundary")
			if err != nil {
				return nil, err
			}
			return nil, s.SetPermissionsBoundary(ctx, c, kind, v[0], v[1])
		}
		t["Delete"+K+"PermissionsBoundary"] = func(ctx context.Context, c *authz.Call, f awsquery.Form) (any, error) {
			name, err := f.Required(nameParam)
			if err != nil {
				return nil, err
			}
			return nil, s.SetPermissionsBoundary(ctx, c, kind, name, "")
		}
	}
}

func groupList(s *iam.Service, gs []store.Group, more bool, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	groups, lr := listed(gs, more, func(g store.Group) xGroup { return group(s, g) }, func(g store.Group) string { return g.Name })
	return struct {
		Groups []xGroup `xml:"Groups>member"`
		listResult
	}{groups, lr}, nil
}

func simulateInput(f awsquery.Form) iam.SimulateInput {
	in := iam.SimulateInput{
		PolicyInputList:   f.List("PolicyInputList"),
		BoundaryInputList: f.List("PermissionsBoundaryPolicyInputList"),
		ActionNames:       f.List("ActionNames"),
		ResourceArns:      f.List("ResourceArns"),
		ResourcePolicy:    f.Get("ResourcePolicy"),
		ResourceOwner:     f.Get("ResourceOwner"),
		CallerArn:         f.Get("CallerArn"),
	}
	// ContextEntries.member.N.ContextKeyName / .ContextKeyType / .ContextKeyValues.member.M
	for _, m := range f.Structs("ContextEntries") {
		ce := iam.ContextEntry{Key: m["ContextKeyName"], Type: m["ContextKeyType"]}
		sub := awsquery.Form{Values: map[string][]string{}}
		for k, v := range m {
			sub.Values[k] = []string{v}
		}
		ce.Values = sub.List("ContextKeyValues")
		in.ContextEntries = append(in.ContextEntries, ce)
	}
	return in
}

func evaluations(rs []policy.EvaluationResult, err error) (any, error) {
	if err != nil {
		return nil, err
	}
	r := struct {
		EvaluationResults []xEvaluationResult `xml:"EvaluationResults>member"`
		IsTruncated       bool                `xml:"IsTruncated"`
	}{EvaluationResults: []xEvaluationResult{}}
	for _, x := range rs {
		r.EvaluationResults = append(r.EvaluationResults, evaluation(x))
	}
	return r, nil
}
