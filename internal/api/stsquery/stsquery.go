// Package stsquery is the STS wire adapter: AWS Query protocol requests
// (Action=…&Version=2011-06-15) decoded into internal/sts calls and rendered
// as botocore's XML shapes.
package stsquery

import (
	"context"

	"github.com/wharf-project/wharf/internal/api/awsquery"
	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/sts"
)

// Namespace is STS's XML namespace.
const Namespace = "https://sts.amazonaws.com/doc/2011-06-15/"

// Version is the API version this adapter serves.
const Version = "2011-06-15"

// Handler serves STS operations.
type Handler struct {
	svc *sts.Service
}

// New returns the STS adapter.
func New(svc *sts.Service) *Handler { return &Handler{svc: svc} }

type xCredentials struct {
	AccessKeyId     string        `xml:"AccessKeyId"`
	SecretAccessKey string        `xml:"SecretAccessKey"`
	SessionToken    string        `xml:"SessionToken"`
	Expiration      awsquery.Time `xml:"Expiration"`
}

func credentials(c sts.Credentials) xCredentials {
	return xCredentials{c.AccessKeyID, c.SecretAccessKey, c.SessionToken, awsquery.Time(c.Expiration)}
}

// Serve runs one authenticated request.
func (h *Handler) Serve(ctx context.Context, call *authz.Call, f awsquery.Form, requestID string) (int, []byte) {
	action := f.Get("Action")
	var result any
	var err error
	switch action {
	case "GetCallerIdentity":
		id := h.svc.GetCallerIdentity(call)
		result = struct {
			UserId  string `xml:"UserId"`
			Account string `xml:"Account"`
			Arn     string `xml:"Arn"`
		}{id.UserID, id.Account, id.ARN}
	case "AssumeRole":
		var in sts.AssumeRoleInput
		if in.RoleArn, err = f.Required("RoleArn"); err != nil {
			break
		}
		if in.RoleSessionName, err = f.Required("RoleSessionName"); err != nil {
			break
		}
		if in.DurationSeconds, err = f.Int("DurationSeconds"); err != nil {
			break
		}
		in.Policy = f.Get("Policy")
		for _, m := range f.Structs("PolicyArns") {
			in.PolicyArns = append(in.PolicyArns, m["arn"])
		}
		in.ExternalID = f.Get("ExternalId")
		in.SourceIdentity = f.Get("SourceIdentity")
		var r sts.AssumedRole
		if r, err = h.svc.AssumeRole(ctx, call, in); err != nil {
			break
		}
		type assumedRoleUser struct {
			AssumedRoleId string `xml:"AssumedRoleId"`
			Arn           string `xml:"Arn"`
		}
		result = struct {
			Credentials      xCredentials    `xml:"Credentials"`
			AssumedRoleUser  assumedRoleUser `xml:"AssumedRoleUser"`
			PackedPolicySize int             `xml:"PackedPolicySize"`
			SourceIdentity   string          `xml:"SourceIdentity,omitempty"`
		}{credentials(r.Credentials), assumedRoleUser{r.AssumedRoleID, r.ARN}, r.PackedPolicySize, r.SourceIdentity}
	case "GetSessionToken":
		var d int
		if d, err = f.Int("DurationSeconds"); err != nil {
			break
		}
		var c sts.Credentials
		if c, err = h.svc.GetSessionToken(ctx, call, d); err != nil {
			break
		}
		result = struct {
			Credentials xCredentials `xml:"Credentials"`
		}{credentials(c)}
	case "":
		return 400, awsquery.ErrorXML(Namespace, "MissingAction", "Missing Action", requestID, 400)
	default:
		return 400, awsquery.ErrorXML(Namespace, "InvalidAction", "Could not find operation "+action+" for version "+Version, requestID, 400)
	}
	if err != nil {
		code, status, msg := awsquery.CodeOf(err)
		return status, awsquery.ErrorXML(Namespace, code, msg, requestID, status)
	}
	body, err := awsquery.ResponseXML(Namespace, action, result, requestID)
	if err != nil {
		code, status, msg := awsquery.CodeOf(err)
		return status, awsquery.ErrorXML(Namespace, code, msg, requestID, status)
	}
	return 200, body
}
