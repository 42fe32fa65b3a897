package ecrpublic

import (
	"context"
	"encoding/base64"
	"errors"

	"github.com/wharf-project/wharf/internal/authz"
	"github.com/wharf-project/wharf/internal/errs"
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/store"
)

// handle decodes the operation's input shape I and runs fn on it.
func handle[I any](fn func(context.Context, *authz.Call, *I) (any, error)) op {
	return func(ctx context.Context, call *authz.Call, body []byte) (any, error) {
		in := new(I)
		if err := decode(body, in); err != nil {
			return nil, err
		}
		return fn(ctx, call, in)
	}
}

// repoIn is the registryId and repositoryName most inputs start with.
type repoIn struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
}

// ref resolves them; aliasOK for the members the model types
// RegistryIdOrAlias (the layer and image push operations).
func (h *Handler) ref(ctx context.Context, call *authz.Call, in repoIn, aliasOK bool) (registry.Ref, error) {
	if in.RepositoryName == "" {
		return registry.Ref{}, missing("repositoryName")
	}
	return h.reg.ECRRef(ctx, call, in.RegistryID, in.RepositoryName, aliasOK)
}

// The 23 operations of ECR Public (2020-10-30).
func (h *Handler) table() map[string]op {
	reg := h.reg
	return map[string]op{
		// Repositories.
		"CreateRepository": handle(func(ctx context.Context, c *authz.Call, in *struct {
			RepositoryName string             `json:"repositoryName"`
			CatalogData    *xCatalogDataInput `json:"catalogData"`
			Tags           []xTag             `json:"tags"`
		}) (any, error) {
			if in.RepositoryName == "" {
				return nil, missing("repositoryName")
			}
			if err := listLength("tags", len(in.Tags), 0, 200); err != nil {
				return nil, err
			}
			r, cd, err := reg.CreateRepositoryWithCatalog(ctx, c, in.RepositoryName, in.CatalogData.input(), storeTags(in.Tags))
			if err != nil {
				return nil, err
			}
			return struct {
				Repository  xRepository  `json:"repository"`
				CatalogData xCatalogData `json:"catalogData"`
			}{repository(r), catalogData(cd)}, nil
		}),
		"DescribeRepositories": handle(func(ctx context.Context, c *authz.Call, in *struct {
			RegistryID      string   `json:"registryId"`
			RepositoryNames []string `json:"repositoryNames"`
			NextToken       string   `json:"nextToken"`
			MaxResults      *int     `json:"maxResults"`
		}) (any, error) {
			account, err := reg.RegistryAccount(ctx, c, in.RegistryID, false)
			if err != nil {
				return nil, err
			}
			var rs []registry.RepositoryInfo
			more := false
			if in.RepositoryNames != nil {
				if err := noPaging("repositoryNames", in.NextToken, in.MaxResults); err != nil {
					return nil, err
				}
				if err := listLength("repositoryNames", len(in.RepositoryNames), 1, 100); err != nil {
					return nil, err
				}
				if rs, err = reg.GetRepositories(ctx, c, account, in.RepositoryNames); err != nil {
					return nil, err
				}
			} else {
				p, err := page("DescribeRepositories", in.NextToken, in.MaxResults)
				if err != nil {
					return nil, err
				}
				if rs, more, err = reg.ListRepositories(ctx, c, account, p); err != nil {
					return nil, err
				}
			}
			out := struct {
				Repositories []xRepository `json:"repositories"`
				NextToken    string        `json:"nextToken,omitempty"`
			}{Repositories: []xRepository{}}
			for _, r := range rs {
				out.Repositories = append(out.Repositories, repository(r))
			}
			if more && len(rs) > 0 {
				out.NextToken = nextToken("DescribeRepositories", rs[len(rs)-1].Name)
			}
			return out, nil
		}),
		"DeleteRepository": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			Force bool `json:"force"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, false)
			if err != nil {
				return nil, err
			}
			r, err := reg.DeleteRepository(ctx, c, ref, in.Force)
			if err != nil {
				return nil, err
			}
			return struct {
				Repository xRepository `json:"repository"`
			}{repository(r)}, nil
		}),

		// Repository policies.
		"GetRepositoryPolicy": handle(func(ctx context.Context, c *authz.Call, in *repoIn) (any, error) {
			ref, err := h.ref(ctx, c, *in, false)
			if err != nil {
				return nil, err
			}
			text, err := reg.GetRepositoryPolicy(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return xPolicyResult{ref.Account, ref.Name, text}, nil
		}),
		"SetRepositoryPolicy": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			PolicyText *string `json:"policyText"`
			Force      bool    `json:"force"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, false)
			if err != nil {
				return nil, err
			}
			if in.PolicyText == nil {
				return nil, missing("policyText")
			}
			text, err := reg.SetRepositoryPolicy(ctx, c, ref, *in.PolicyText, in.Force)
			if err != nil {
				return nil, err
			}
			return xPolicyResult{ref.Account, ref.Name, text}, nil
		}),
		"DeleteRepositoryPolicy": handle(func(ctx context.Context, c *authz.Call, in *repoIn) (any, error) {
			ref, err := h.ref(ctx, c, *in, false)
			if err != nil {
				return nil, err
			}
			text, err := reg.DeleteRepositoryPolicy(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return xPolicyResult{ref.Account, ref.Name, text}, nil
		}),

		// Catalog data.
		"GetRepositoryCatalogData": handle(func(ctx context.Context, c *authz.Call, in *repoIn) (any, error) {
			ref, err := h.ref(ctx, c, *in, false)
			if err != nil {
				return nil, err
			}
			cd, err := reg.GetRepositoryCatalogData(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return struct {
				CatalogData xCatalogData `json:"catalogData"`
			}{catalogData(cd)}, nil
		}),
		"PutRepositoryCatalogData": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			CatalogData *xCatalogDataInput `json:"catalogData"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, false)
			if err != nil {
				return nil, err
			}
			if in.CatalogData == nil {
				return nil, missing("catalogData")
			}
			cd, err := reg.PutRepositoryCatalogData(ctx, c, ref, in.CatalogData.input())
			if err != nil {
				return nil, err
			}
			return struct {
				CatalogData xCatalogData `json:"catalogData"`
			}{catalogData(cd)}, nil
		}),
		"GetRegistryCatalogData": handle(func(ctx context.Context, c *authz.Call, _ *struct{}) (any, error) {
			name, err := reg.GetRegistryCatalogData(ctx, c)
			if err != nil {
				return nil, err
			}
			return struct {
				RegistryCatalogData xRegistryCatalogData `json:"registryCatalogData"`
			}{xRegistryCatalogData{name}}, nil
		}),
		"PutRegistryCatalogData": handle(func(ctx context.Context, c *authz.Call, in *struct {
			DisplayName string `json:"displayName"`
		}) (any, error) {
			name, err := reg.PutRegistryCatalogData(ctx, c, in.DisplayName)
			if err != nil {
				return nil, err
			}
			return struct {
				RegistryCatalogData xRegistryCatalogData `json:"registryCatalogData"`
			}{xRegistryCatalogData{name}}, nil
		}),

		// Registries.
		"DescribeRegistries": handle(func(ctx context.Context, c *authz.Call, in *struct {
			NextToken  string `json:"nextToken"`
			MaxResults *int   `json:"maxResults"`
		}) (any, error) {
			p, err := page("DescribeRegistries", in.NextToken, in.MaxResults)
			if err != nil {
				return nil, err
			}
			out := struct {
				Registries []xRegistry `json:"registries"`
			}{Registries: []xRegistry{}}
			if p.Marker != "" {
				return out, nil // a caller has one registry: every later page is empty
			}
			r, err := reg.DescribeRegistry(ctx, c)
			if err != nil {
				return nil, err
			}
			x := xRegistry{RegistryID: r.ID, RegistryArn: r.ARN, RegistryURI: r.URI, Aliases: []xRegistryAlias{}}
			if r.Alias != "" {
				x.Aliases = append(x.Aliases, xRegistryAlias{Name: r.Alias, Status: "ACTIVE", PrimaryRegistryAlias: true, DefaultRegistryAlias: true})
			}
			out.Registries = append(out.Registries, x)
			return out, nil
		}),

		// Images.
		"DescribeImages": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			ImageIDs   []xImageID `json:"imageIds"`
			NextToken  string     `json:"nextToken"`
			MaxResults *int       `json:"maxResults"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, false)
			if err != nil {
				return nil, err
			}
			var ids []registry.ImageID
			var p store.Page
			if in.ImageIDs != nil {
				if err := noPaging("imageIds", in.NextToken, in.MaxResults); err != nil {
					return nil, err
				}
				if err := listLength("imageIds", len(in.ImageIDs), 1, 100); err != nil {
					return nil, err
				}
				ids = imageIDs(in.ImageIDs)
			} else if p, err = page("DescribeImages", in.NextToken, in.MaxResults); err != nil {
				return nil, err
			}
			ds, more, err := reg.DescribeImages(ctx, c, ref, ids, p)
			if err != nil {
				return nil, err
			}
			out := struct {
				ImageDetails []xImageDetail `json:"imageDetails"`
				NextToken    string         `json:"nextToken,omitempty"`
			}{ImageDetails: []xImageDetail{}}
			for _, d := range ds {
				out.ImageDetails = append(out.ImageDetails, xImageDetail{RegistryID: ref.Account, RepositoryName: ref.Name, ImageDigest: d.Digest,
					ImageTags: d.Tags, ImageSizeInBytes: d.Size, ImagePushedAt: epochPtr(d.PushedAt), ImageManifestMediaType: d.MediaType, ArtifactMediaType: d.ArtifactMediaType})
			}
			if more && len(ds) > 0 {
				out.NextToken = nextToken("DescribeImages", ds[len(ds)-1].Digest)
			}
			return out, nil
		}),
		"DescribeImageTags": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			NextToken  string `json:"nextToken"`
			MaxResults *int   `json:"maxResults"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, false)
			if err != nil {
				return nil, err
			}
			p, err := page("DescribeImageTags", in.NextToken, in.MaxResults)
			if err != nil {
				return nil, err
			}
			ts, more, err := reg.DescribeImageTags(ctx, c, ref, p)
			if err != nil {
				return nil, err
			}
			out := struct {
				ImageTagDetails []xImageTagDetail `json:"imageTagDetails"`
				NextToken       string            `json:"nextToken,omitempty"`
			}{ImageTagDetails: []xImageTagDetail{}}
			for _, t := range ts {
				d := t.Image
				out.ImageTagDetails = append(out.ImageTagDetails, xImageTagDetail{ImageTag: t.Tag, CreatedAt: epochPtr(t.CreatedAt),
					ImageDetail: xReferencedImageDetail{ImageDigest: d.Digest, ImageSizeInBytes: d.Size, ImagePushedAt: epochPtr(d.PushedAt),
						ImageManifestMediaType: d.MediaType, ArtifactMediaType: d.ArtifactMediaType}})
			}
			if more && len(ts) > 0 {
				out.NextToken = nextToken("DescribeImageTags", ts[len(ts)-1].Tag)
			}
			return out, nil
		}),
		"BatchDeleteImage": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			ImageIDs []xImageID `json:"imageIds"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, true)
			if err != nil {
				return nil, err
			}
			if in.ImageIDs == nil {
				return nil, missing("imageIds")
			}
			if err := listLength("imageIds", len(in.ImageIDs), 1, 100); err != nil {
				return nil, err
			}
			deleted, failures, err := reg.BatchDeleteImage(ctx, c, ref, imageIDs(in.ImageIDs))
			if err != nil {
				return nil, err
			}
			out := struct {
				ImageIDs []xImageID      `json:"imageIds"`
				Failures []xImageFailure `json:"failures"`
			}{[]xImageID{}, []xImageFailure{}}
			for _, id := range deleted {
				out.ImageIDs = append(out.ImageIDs, xImageID{id.Digest, id.Tag})
			}
			for _, f := range failures {
				out.Failures = append(out.Failures, xImageFailure{xImageID{f.ID.Digest, f.ID.Tag}, f.Code, f.Reason})
			}
			return out, nil
		}),
		"PutImage": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			ImageManifest          string `json:"imageManifest"`
			ImageManifestMediaType string `json:"imageManifestMediaType"`
			ImageTag               string `json:"imageTag"`
			ImageDigest            string `json:"imageDigest"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, true)
			if err != nil {
				return nil, err
			}
			if in.ImageManifest == "" {
				return nil, missing("imageManifest")
			}
			res, err := reg.PutImage(ctx, c, ref, registry.PutImageInput{Manifest: []byte(in.ImageManifest), MediaType: in.ImageManifestMediaType, Tag: in.ImageTag, Digest: in.ImageDigest})
			if err != nil {
				return nil, err
			}
			return struct {
				Image xImage `json:"image"`
			}{xImage{RegistryID: ref.Account, RepositoryName: ref.Name, ImageID: xImageID{res.Digest.String(), in.ImageTag},
				ImageManifest: in.ImageManifest, ImageManifestMediaType: res.MediaType}}, nil
		}),

		// Layers.
		"BatchCheckLayerAvailability": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			LayerDigests []string `json:"layerDigests"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, true)
			if err != nil {
				return nil, err
			}
			if in.LayerDigests == nil {
				return nil, missing("layerDigests")
			}
			if err := listLength("layerDigests", len(in.LayerDigests), 1, 100); err != nil {
				return nil, err
			}
			layers, failures, err := reg.BatchCheckLayerAvailability(ctx, c, ref, in.LayerDigests)
			if err != nil {
				return nil, err
			}
			out := struct {
				Layers   []xLayer        `json:"layers"`
				Failures []xLayerFailure `json:"failures"`
			}{[]xLayer{}, []xLayerFailure{}}
			for _, l := range layers {
				out.Layers = append(out.Layers, xLayer{l.Digest, "AVAILABLE", l.Size, layerMediaType})
			}
			for _, f := range failures {
				out.Failures = append(out.Failures, xLayerFailure{f.Digest, f.Code, f.Reason})
			}
			return out, nil
		}),
		"InitiateLayerUpload": handle(func(ctx context.Context, c *authz.Call, in *repoIn) (any, error) {
			ref, err := h.ref(ctx, c, *in, true)
			if err != nil {
				return nil, err
			}
			id, err := reg.StartUpload(ctx, c, ref)
			if err != nil {
				return nil, err
			}
			return struct {
				UploadID string `json:"uploadId"`
				PartSize int64  `json:"partSize"`
			}{id, registry.LayerPartSize}, nil
		}),
		"UploadLayerPart": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			UploadID      string `json:"uploadId"`
			PartFirstByte *int64 `json:"partFirstByte"`
			PartLastByte  *int64 `json:"partLastByte"`
			LayerPartBlob []byte `json:"layerPartBlob"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, true)
			if err != nil {
				return nil, err
			}
			switch {
			case in.UploadID == "":
				return nil, missing("uploadId")
			case !uploadIDRE.MatchString(in.UploadID):
				return nil, badUploadID(in.UploadID)
			case in.PartFirstByte == nil:
				return nil, missing("partFirstByte")
			case in.PartLastByte == nil:
				return nil, missing("partLastByte")
			case in.LayerPartBlob == nil:
				return nil, missing("layerPartBlob")
			}
			size, err := reg.UploadLayerPart(ctx, c, ref, in.UploadID, *in.PartFirstByte, *in.PartLastByte, in.LayerPartBlob)
			if err != nil {
				var e *errs.Error
				if errors.As(err, &e) && e.Code == registry.CodeUploadInvalid {
					err = withFields{err, map[string]any{"registryId": ref.Account, "repositoryName": ref.Name, "uploadId": in.UploadID, "lastValidByteReceived": size - 1}}
				}
				return nil, err
			}
			return struct {
				RegistryID       string `json:"registryId"`
				RepositoryName   string `json:"repositoryName"`
				UploadID         string `json:"uploadId"`
				LastByteReceived int64  `json:"lastByteReceived"`
			}{ref.Account, ref.Name, in.UploadID, size - 1}, nil
		}),
		"CompleteLayerUpload": handle(func(ctx context.Context, c *authz.Call, in *struct {
			repoIn
			UploadID     string   `json:"uploadId"`
			LayerDigests []string `json:"layerDigests"`
		}) (any, error) {
			ref, err := h.ref(ctx, c, in.repoIn, true)
			if err != nil {
				return nil, err
			}
			if in.UploadID == "" {
				return nil, missing("uploadId")
			}
			if !uploadIDRE.MatchString(in.UploadID) {
				return nil, badUploadID(in.UploadID)
			}
			if in.LayerDigests == nil {
				return nil, missing("layerDigests")
			}
			if err := listLength("layerDigests", len(in.LayerDigests), 1, 100); err != nil {
				return nil, err
			}
			d, err := reg.CompleteLayerUpload(ctx, c, ref, in.UploadID, in.LayerDigests[0])
			if err != nil {
				return nil, err
			}
			return struct {
				RegistryID     string `json:"registryId"`
				RepositoryName string `json:"repositoryName"`
				UploadID       string `json:"uploadId"`
				LayerDigest    string `json:"layerDigest"`
			}{ref.Account, ref.Name, in.UploadID, d.String()}, nil
		}),

		// Resource tags.
		"ListTagsForResource": handle(func(ctx context.Context, c *authz.Call, in *struct {
			ResourceArn string `json:"resourceArn"`
		}) (any, error) {
			if in.ResourceArn == "" {
				return nil, missing("resourceArn")
			}
			tags, err := reg.ListTagsForResource(ctx, c, in.ResourceArn)
			if err != nil {
				return nil, err
			}
			return struct {
				Tags []xTag `json:"tags"`
			}{wireTags(tags)}, nil
		}),
		"TagResource": handle(func(ctx context.Context, c *authz.Call, in *struct {
			ResourceArn string `json:"resourceArn"`
			Tags        []xTag `json:"tags"`
		}) (any, error) {
			if in.ResourceArn == "" {
				return nil, missing("resourceArn")
			}
			if in.Tags == nil {
				return nil, missing("tags")
			}
			if err := listLength("tags", len(in.Tags), 0, 200); err != nil {
				return nil, err
			}
			return empty{}, reg.TagResource(ctx, c, in.ResourceArn, storeTags(in.Tags))
		}),
		"UntagResource": handle(func(ctx context.Context, c *authz.Call, in *struct {
			ResourceArn string   `json:"resourceArn"`
			TagKeys     []string `json:"tagKeys"`
		}) (any, error) {
			if in.ResourceArn == "" {
				return nil, missing("resourceArn")
			}
			if in.TagKeys == nil {
				return nil, missing("tagKeys")
			}
			if err := listLength("tagKeys", len(in.TagKeys), 0, 200); err != nil {
				return nil, err
			}
			return empty{}, reg.UntagResource(ctx, c, in.ResourceArn, in.TagKeys)
		}),

		// Registry credentials.
		"GetAuthorizationToken": handle(func(ctx context.Context, c *authz.Call, _ *struct{}) (any, error) {
			if c != nil && c.Region != "" && c.Region != "us-east-1" {
				return nil, errs.Coded(errs.Invalid, codeUnsupportedCommand, "GetAuthorizationToken command is only supported in us-east-1.")
			}
			if err := reg.AuthorizeGetAuthorizationToken(ctx, c); err != nil {
				return nil, err
			}
			password, expires, err := h.auth.IssuePassword(c.Subject)
			if err != nil {
				return nil, err
			}
			return struct {
				AuthorizationData xAuthorizationData `json:"authorizationData"`
			}{xAuthorizationData{base64.StdEncoding.EncodeToString([]byte("AWS:" + password)), epochPtr(expires)}}, nil
		}),
	}
}
