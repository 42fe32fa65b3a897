package policy

// EvaluationResult is one result of IAM's SimulatePrincipalPolicy and
// SimulateCustomPolicy, with the member names of the botocore model, plus
// Wharf's explanation.
type EvaluationResult struct {
	EvalActionName                    string                     `json:"EvalActionName"`
	EvalResourceName                  string                     `json:"EvalResourceName"`
	EvalDecision                      string                     `json:"EvalDecision"`
	MatchedStatements                 []MatchedStatement         `json:"MatchedStatements"`
	MissingContextValues              []string                   `json:"MissingContextValues"`
	OrganizationsDecisionDetail       *OrganizationsDetail       `json:"OrganizationsDecisionDetail,omitempty"`
	PermissionsBoundaryDecisionDetail *PermissionsBoundaryDetail `json:"PermissionsBoundaryDecisionDetail,omitempty"`
	// Message is the AccessDenied text AWS would return (empty when allowed).
	Message string `json:"Message,omitempty"`
	// Explanation says, for a person, why the decision is what it is.
	Explanation string `json:"Explanation"`
}

// MatchedStatement is botocore's Statement shape.
type MatchedStatement struct {
	SourcePolicyId   string        `json:"SourcePolicyId"`
	SourcePolicyType string        `json:"SourcePolicyType"`
	StartPosition    PositionShape `json:"StartPosition"`
	EndPosition      PositionShape `json:"EndPosition"`
}

// PositionShape is botocore's Position shape.
type PositionShape struct {
	Line   int `json:"Line"`
	Column int `json:"Column"`
}

// OrganizationsDetail is botocore's OrganizationsDecisionDetail.
type OrganizationsDetail struct {
	AllowedByOrganizations bool `json:"AllowedByOrganizations"`
}

// PermissionsBoundaryDetail is botocore's PermissionsBoundaryDecisionDetail.
type PermissionsBoundaryDetail struct {
	AllowedByPermissionsBoundary bool `json:"AllowedByPermissionsBoundary"`
}

// EvaluationResult renders the result in the simulator's shape.
func (r *Result) EvaluationResult() EvaluationResult {
	er := EvaluationResult{
		EvalActionName:       r.Request.Action,
		EvalResourceName:     r.Request.Resource,
		EvalDecision:         r.Decision.String(),
		MatchedStatements:    []MatchedStatement{},
		MissingContextValues: append([]string{}, r.MissingContextKeys...),
		Explanation:          r.Explanation(),
	}
	for _, m := range r.Matched {
		typ := m.Source.Type
		if typ == "" {
			typ = "none"
		}
		er.MatchedStatements = append(er.MatchedStatements, MatchedStatement{
			SourcePolicyId:   m.Source.ID,
			SourcePolicyType: typ,
			StartPosition:    PositionShape{Line: m.Statement.Start.Line, Column: m.Statement.Start.Column},
			EndPosition:      PositionShape{Line: m.Statement.End.Line, Column: m.Statement.End.Column},
		})
	}
	if r.AllowedByOrganizations != nil {
		er.OrganizationsDecisionDetail = &OrganizationsDetail{AllowedByOrganizations: *r.AllowedByOrganizations}
	}
	if r.AllowedByBoundary != nil {
		er.PermissionsBoundaryDecisionDetail = &PermissionsBoundaryDetail{AllowedByPermissionsBoundary: *r.AllowedByBoundary}
	}
	if r.Decision != Allowed {
		er.Message = r.Message()
	}
	return er
}
