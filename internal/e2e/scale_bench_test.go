package e2e

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/ecrpublic"
	"github.com/google/go-containerregistry/pkg/authn"
	"github.com/google/go-containerregistry/pkg/crane"
	"github.com/google/go-containerregistry/pkg/v1/random"

	"github.com/wharf-project/wharf/internal/store"
	"github.com/wharf-project/wharf/internal/store/postgres"
	"github.com/wharf-project/wharf/internal/store/sqlite"
)

// The scale benchmarks of the scale-out issue. They measure; they never
// pass or fail on a number. Run them one at a time on a quiet machine:
//
//	go test -run '^$' -bench 'BenchmarkListing100k' -benchtime 3x -timeout 60m ./internal/e2e/
//	go test -run '^$' -bench 'BenchmarkPullThroughput' -benchtime 20s -timeout 30m ./internal/e2e/
//
// WHARF_BENCH_IMAGES changes the repository's size (default 100000).

// BenchmarkListing100k times one page of DescribeImages, DescribeImageTags
// (both maxResults 1000, through the AWS SDK, signed) and the OCI tag list
// (n=1000, anonymous bearer token) in a repository of 100,000 tagged images,
// on the embedded store and on PostgreSQL. Each iteration walks every page;
// p50 and p99 are over all pages of all iterations.
func BenchmarkListing100k(b *testing.B) {
	n := 100_000
	if v := os.Getenv("WHARF_BENCH_IMAGES"); v != "" {
		var err error
		if n, err = strconv.Atoi(v); err != nil {
			b.Fatal(err)
		}
	}
	for _, backend := range []string{"embedded", "postgres"} {
		b.Run("store="+backend, func(b *testing.B) {
			ctx := context.Background()
			var srv *Server
			var st store.Store
			var err error
			if backend == "embedded" {
				srv = Start(b)
				st, err = sqlite.Open(ctx, filepath.Join(srv.DataDir, "wharf.db"))
			} else {
				d := newScaleOut(b)
				srv = d.start(b, 1)[0]
				st, err = postgres.Open(ctx, argAfter(d.args, "--database-url"))
			}
			if err != nil {
				b.Fatal(err)
			}
			defer st.Close()
			root := ecrClient(srv, srv.RootKeyID, srv.RootKey, "")
			created, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("big")})
			if err != nil {
				b.Fatal(err)
			}
			uri := aws.ToString(created.Repository.RepositoryUri)
			name := strings.TrimPrefix(uri, hostOf(srv)+"/")
			start := time.Now()
			populate(b, st, srv.AccountID, "big", n)
			b.Logf("%s: stored %d images in %s", backend, n, time.Since(start).Round(time.Second))

			b.Run("op=DescribeImages", func(b *testing.B) {
				pageTimes(b, func(token *string) (*string, error) {
					out, err := root.DescribeImages(ctx, &ecrpublic.DescribeImagesInput{RepositoryName: aws.String("big"), MaxResults: aws.Int32(1000), NextToken: token})
					if err != nil {
						return nil, err
					}
					return out.NextToken, nil
				})
			})
			b.Run("op=DescribeImageTags", func(b *testing.B) {
				pageTimes(b, func(token *string) (*string, error) {
					out, err := root.DescribeImageTags(ctx, &ecrpublic.DescribeImageTagsInput{RepositoryName: aws.String("big"), MaxResults: aws.Int32(1000), NextToken: token})
					if err != nil {
						return nil, err
					}
					return out.NextToken, nil
				})
			})
			bearer := anonymousToken(b, srv, name)
			b.Run("op=OCITagsList", func(b *testing.B) {
				pageTimes(b, func(token *string) (*string, error) {
					target := srv.URL + "/v2/" + name + "/tags/list?n=1000"
					if token != nil {
						target = srv.URL + *token
					}
					req, _ := http.NewRequest(http.MethodGet, target, nil)
					req.Header.Set("Authorization", "Bearer "+bearer)
					resp, err := http.DefaultClient.Do(req)
					if err != nil {
						return nil, err
					}
					defer resp.Body.Close()
					if _, err := io.Copy(io.Discard, resp.Body); err != nil {
						return nil, err
					}
					if resp.StatusCode != 200 {
						return nil, fmt.Errorf("tags list: %s", resp.Status)
					}
					link := resp.Header.Get("Link") // <…>; rel="next"
					if link == "" {
						return nil, nil
					}
					next := strings.TrimPrefix(strings.SplitN(link, ">", 2)[0], "<")
					return &next, nil
				})
			})
		})
	}
}

// populate stores n images (manifest and tag) directly in the store, in
// transactions of 2,000, as a registry with that history would hold them.
func populate(b *testing.B, st store.Store, account, repo string, n int) {
	b.Helper()
	ctx := context.Background()
	const batch = 2000
	now := time.Now().UTC()
	for i := 0; i < n; i += batch {
		err := st.Tx(ctx, func(tx store.Tx) error {
			r := tx.Registry()
			for j := i; j < min(i+batch, n); j++ {
				content := fmt.Sprintf(`{"schemaVersion":2,"mediaType":"application/vnd.oci.image.manifest.v1+json","config":{"mediaType":"application/vnd.oci.image.config.v1+json","digest":"sha256:%064d","size":%d},"layers":[]}`, j, 100+j%1000)
				sum := sha256.Sum256([]byte(content))
				m := store.Manifest{AccountID: account, Repository: repo, Digest: "sha256:" + hex.EncodeToString(sum[:]),
					MediaType: "application/vnd.oci.image.manifest.v1+json", ArtifactType: "application/vnd.oci.image.config.v1+json",
					Content: []byte(content), ImageSize: int64(len(content) + 100 + j%1000), PushedAt: now.Add(time.Duration(j) * time.Millisecond)}
				if err := r.PutManifest(m); err != nil {
					return err
				}
				if err := r.PutTag(account, repo, store.ImageTag{Name: fmt.Sprintf("v%06d", j), Digest: m.Digest, CreatedAt: m.PushedAt}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
}

// pageTimes walks every page with next, b.N times, and reports the p50 and
// p99 of one page's latency.
func pageTimes(b *testing.B, next func(token *string) (*string, error)) {
	b.Helper()
	var times []time.Duration
	for range b.N {
		var token *string
		for {
			t0 := time.Now()
			nt, err := next(token)
			times = append(times, time.Since(t0))
			if err != nil {
				b.Fatal(err)
			}
			if nt == nil || *nt == "" {
				break
			}
			token = nt
		}
	}
	slices.Sort(times)
	pct := func(p float64) float64 {
		return float64(times[int(p*float64(len(times)-1))]) / float64(time.Millisecond)
	}
	b.ReportMetric(pct(0.50), "p50-ms/page")
	b.ReportMetric(pct(0.99), "p99-ms/page")
	b.ReportMetric(float64(len(times))/float64(b.N), "pages/walk")
}

// BenchmarkPullThroughput pulls one image (manifest and four 8 MiB layers)
// with 8 concurrent anonymous clients, round-robin over the replicas: one
// embedded server, then one and three replicas of a scale-out deployment
// (PostgreSQL + S3) on the same machine, and three replicas that redirect
// blob downloads to presigned S3 URLs. MB/s is what matters.
func BenchmarkPullThroughput(b *testing.B) {
	type setup struct {
		name     string
		replicas func(b *testing.B) []*Server
	}
	for _, s := range []setup{
		{"embedded", func(b *testing.B) []*Server { return []*Server{Start(b)} }},
		{"scaleout-replicas=1", func(b *testing.B) []*Server { return newScaleOut(b).start(b, 1) }},
		{"scaleout-replicas=3", func(b *testing.B) []*Server { return newScaleOut(b).start(b, 3) }},
		{"scaleout-replicas=3-redirect", func(b *testing.B) []*Server {
			d := newScaleOut(b)
			for i, a := range d.args {
				if strings.HasPrefix(a, "s3://") {
					d.args[i] = a + map[bool]string{true: "&", false: "?"}[strings.Contains(a, "?")] + "redirect=15m"
				}
			}
			return d.start(b, 3)
		}},
	} {
		b.Run(s.name, func(b *testing.B) {
			rs := s.replicas(b)
			ctx := context.Background()
			root := ecrClient(rs[0], rs[0].RootKeyID, rs[0].RootKey, "")
			created, err := root.CreateRepository(ctx, &ecrpublic.CreateRepositoryInput{RepositoryName: aws.String("pull")})
			if err != nil {
				b.Fatal(err)
			}
			uri := aws.ToString(created.Repository.RepositoryUri)
			img, err := random.Image(8<<20, 4)
			if err != nil {
				b.Fatal(err)
			}
			auth := crane.WithAuth(&authn.Basic{Username: "AWS", Password: loginPassword(b, root)})
			if err := crane.Push(img, uri+":v1", auth, crane.Insecure); err != nil {
				b.Fatal(err)
			}
			name := strings.TrimPrefix(uri, hostOf(rs[0])+"/")
			manifest, _ := img.RawManifest()
			layers, _ := img.Layers()
			cfg, _ := img.ConfigName()
			digests := []string{cfg.String()}
			total := int64(len(manifest))
			for _, l := range layers {
				d, _ := l.Digest()
				sz, _ := l.Size()
				digests = append(digests, d.String())
				total += sz
			}
			tokens := make([]string, len(rs))
			for i, r := range rs {
				tokens[i] = anonymousToken(b, r, name)
			}
			client := &http.Client{Transport: &http.Transport{MaxIdleConnsPerHost: 32}}
			var next atomic.Uint64
			b.SetBytes(total)
			b.SetParallelism(4)
			b.ResetTimer()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					i := int(next.Add(1)) % len(rs)
					get := func(path, accept string) error {
						req, _ := http.NewRequest(http.MethodGet, rs[i].URL+"/v2/"+name+path, nil)
						req.Header.Set("Authorization", "Bearer "+tokens[i])
						if accept != "" {
							req.Header.Set("Accept", accept)
						}
						resp, err := client.Do(req)
						if err != nil {
							return err
						}
						defer resp.Body.Close()
						if _, err := io.Copy(io.Discard, resp.Body); err != nil {
							return err
						}
						if resp.StatusCode != 200 {
							return fmt.Errorf("GET %s: %s", path, resp.Status)
						}
						return nil
					}
					if err := get("/manifests/v1", "application/vnd.docker.distribution.manifest.v2+json,application/vnd.oci.image.manifest.v1+json"); err != nil {
						b.Error(err)
						return
					}
					for _, d := range digests {
						if err := get("/blobs/"+d, ""); err != nil {
							b.Error(err)
							return
						}
					}
				}
			})
		})
	}
}

// anonymousToken gets a pull token for name from srv's token endpoint, as
// docker does for an anonymous pull.
func anonymousToken(b testing.TB, srv *Server, name string) string {
	b.Helper()
	resp, err := http.Get(srv.URL + "/token?service=" + hostOf(srv) + "&scope=repository:" + name + ":pull")
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	var tok struct {
		Token string `json:"token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tok); err != nil || tok.Token == "" {
		b.Fatalf("anonymous token: %s %v", resp.Status, err)
	}
	return tok.Token
}

func argAfter(args []string, flag string) string {
	for i, a := range args {
		if a == flag && i+1 < len(args) {
			return args[i+1]
		}
	}
	return ""
}
