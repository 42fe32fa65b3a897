package ecrpublic

import (
	"github.com/wharf-project/wharf/internal/registry"
	"github.com/wharf-project/wharf/internal/store"
)

// Wire shapes, named and cased as in botocore's service-2.json.

type xRepository struct {
	RepositoryArn  string `json:"repositoryArn"`
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	RepositoryURI  string `json:"repositoryUri"`
	CreatedAt      *epoch `json:"createdAt,omitempty"`
}

func repository(r registry.RepositoryInfo) xRepository {
	return xRepository{RepositoryArn: r.ARN, RegistryID: r.AccountID, RepositoryName: r.Name, RepositoryURI: r.URI, CreatedAt: epochPtr(r.CreatedAt)}
}

// xCatalogDataInput is RepositoryCatalogDataInput.
type xCatalogDataInput struct {
	Description      string   `json:"description"`
	Architectures    []string `json:"architectures"`
	OperatingSystems []string `json:"operatingSystems"`
	LogoImageBlob    []byte   `json:"logoImageBlob"` // base64 on the wire
	AboutText        string   `json:"aboutText"`
	UsageText        string   `json:"usageText"`
}

func (c *xCatalogDataInput) input() registry.CatalogDataInput {
	if c == nil {
		return registry.CatalogDataInput{}
	}
	return registry.CatalogDataInput{Description: c.Description, Architectures: c.Architectures, OperatingSystems: c.OperatingSystems,
		Logo: c.LogoImageBlob, AboutText: c.AboutText, UsageText: c.UsageText}
}

// xCatalogData is RepositoryCatalogData.
type xCatalogData struct {
	Description      string   `json:"description,omitempty"`
	Architectures    []string `json:"architectures,omitempty"`
	OperatingSystems []string `json:"operatingSystems,omitempty"`
	LogoURL          string   `json:"logoUrl,omitempty"`
	AboutText        string   `json:"aboutText,omitempty"`
	UsageText        string   `json:"usageText,omitempty"`
}

func catalogData(c registry.CatalogData) xCatalogData {
	return xCatalogData{Description: c.Description, Architectures: c.Architectures, OperatingSystems: c.OperatingSystems,
		LogoURL: c.LogoURL, AboutText: c.AboutText, UsageText: c.UsageText}
}

type xTag struct {
	Key   string `json:"Key"`
	Value string `json:"Value"`
}

func storeTags(in []xTag) []store.Tag {
	out := make([]store.Tag, 0, len(in))
	for _, t := range in {
		out = append(out, store.Tag{Key: t.Key, Value: t.Value})
	}
	return out
}

func wireTags(in []store.Tag) []xTag {
	out := make([]xTag, 0, len(in))
	for _, t := range in {
		out = append(out, xTag{Key: t.Key, Value: t.Value})
	}
	return out
}

type xImageID struct {
	ImageDigest string `json:"imageDigest,omitempty"`
	ImageTag    string `json:"imageTag,omitempty"`
}

func imageIDs(in []xImageID) []registry.ImageID {
	out := make([]registry.ImageID, 0, len(in))
	for _, id := range in {
		out = append(out, registry.ImageID{Digest: id.ImageDigest, Tag: id.ImageTag})
	}
	return out
}

type xImageFailure struct {
	ImageID       xImageID `json:"imageId"`
	FailureCode   string   `json:"failureCode"`
	FailureReason string   `json:"failureReason"`
}

type xImageDetail struct {
	RegistryID             string   `json:"registryId"`
	RepositoryName         string   `json:"repositoryName"`
	ImageDigest            string   `json:"imageDigest"`
	ImageTags              []string `json:"imageTags,omitempty"`
	ImageSizeInBytes       int64    `json:"imageSizeInBytes"`
	ImagePushedAt          *epoch   `json:"imagePushedAt,omitempty"`
	ImageManifestMediaType string   `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType      string   `json:"artifactMediaType,omitempty"`
}

// xReferencedImageDetail is ReferencedImageDetail (ImageTagDetail.imageDetail).
type xReferencedImageDetail struct {
	ImageDigest            string `json:"imageDigest"`
	ImageSizeInBytes       int64  `json:"imageSizeInBytes"`
	ImagePushedAt          *epoch `json:"imagePushedAt,omitempty"`
	ImageManifestMediaType string `json:"imageManifestMediaType,omitempty"`
	ArtifactMediaType      string `json:"artifactMediaType,omitempty"`
}

type xImageTagDetail struct {
	ImageTag    string                 `json:"imageTag"`
	CreatedAt   *epoch                 `json:"createdAt,omitempty"`
	ImageDetail xReferencedImageDetail `json:"imageDetail"`
}

// layerMediaType is what BatchCheckLayerAvailability reports for every
// layer (Wharf does not record blobs' media types).
const layerMediaType = "application/vnd.docker.image.rootfs.diff.tar.gzip"

type xLayer struct {
	LayerDigest       string `json:"layerDigest"`
	LayerAvailability string `json:"layerAvailability"`
	LayerSize         int64  `json:"layerSize"`
	MediaType         string `json:"mediaType"`
}

type xLayerFailure struct {
	LayerDigest   string `json:"layerDigest"`
	FailureCode   string `json:"failureCode"`
	FailureReason string `json:"failureReason"`
}

type xRegistryAlias struct {
	Name                 string `json:"name"`
	Status               string `json:"status"`
	PrimaryRegistryAlias bool   `json:"primaryRegistryAlias"`
	DefaultRegistryAlias bool   `json:"defaultRegistryAlias"`
}

type xRegistry struct {
	RegistryID  string           `json:"registryId"`
	RegistryArn string           `json:"registryArn"`
	RegistryURI string           `json:"registryUri"`
	Verified    bool             `json:"verified"`
	Aliases     []xRegistryAlias `json:"aliases"`
}

type xRegistryCatalogData struct {
	DisplayName string `json:"displayName"`
}

type xPolicyResult struct {
	RegistryID     string `json:"registryId"`
	RepositoryName string `json:"repositoryName"`
	PolicyText     string `json:"policyText"`
}

type xAuthorizationData struct {
	AuthorizationToken string `json:"authorizationToken"`
	ExpiresAt          *epoch `json:"expiresAt,omitempty"`
}

type xImage struct {
	RegistryID             string   `json:"registryId"`
	RepositoryName         string   `json:"repositoryName"`
	ImageID                xImageID `json:"imageId"`
	ImageManifest          string   `json:"imageManifest"`
	ImageManifestMediaType string   `json:"imageManifestMediaType,omitempty"`
}

// empty is the output of operations without output members.
type empty struct{}
