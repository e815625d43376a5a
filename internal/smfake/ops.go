package smfake

import "strconv"

type tag struct {
	Key   string
	Value string
}

type listEntry struct {
	ARN         string
	Name        string
	Tags        []tag    `json:",omitempty"`
	DeletedDate *float64 `json:",omitempty"`
	// SecretVersionsToStages is the stages of each version, as ListSecrets
	// reports them (DescribeSecret calls it VersionIdsToStages).
	SecretVersionsToStages map[string][]string `json:",omitempty"`
}

// listEntryOf is sec as ListSecrets lists it (and DescribeSecret begins).
func listEntryOf(sec *Secret) listEntry {
	e := listEntry{ARN: ARN(sec.Name), Name: sec.Name, Tags: tagList(sec.Tags), SecretVersionsToStages: stagesOf(sec)}
	if sec.Deleted {
		d := 1.7e9
		e.DeletedDate = &d
	}
	return e
}

func (s *Server) listSecrets(body []byte) (any, *Fault) {
	in, fault := decode[struct {
		MaxResults             int
		NextToken              string
		Filters                []filter
		IncludePlannedDeletion bool
	}](body)
	if fault != nil {
		return nil, fault
	}
	page, next, fault := paginate(s.sorted(in.Filters, in.IncludePlannedDeletion), in.NextToken, in.MaxResults, 100)
	if fault != nil {
		return nil, fault
	}
	out := struct {
		SecretList []listEntry
		NextToken  string `json:",omitempty"`
	}{SecretList: []listEntry{}, NextToken: next}
	for _, sec := range page {
		out.SecretList = append(out.SecretList, listEntryOf(sec))
	}
	return out, nil
}

type valueEntry struct {
	ARN          string
	Name         string
	SecretString *string `json:",omitempty"`
	SecretBinary []byte  `json:",omitempty"`
	VersionId    string
}

type apiError struct {
	SecretId  string
	ErrorCode string
	Message   string
}

func (s *Server) batchGet(body []byte) (any, *Fault) {
	in, fault := decode[struct {
		SecretIdList []string
		Filters      []filter
		MaxResults   int
		NextToken    string
	}](body)
	if fault != nil {
		return nil, fault
	}
	out := struct {
		SecretValues []valueEntry
		Errors       []apiError
		NextToken    string `json:",omitempty"`
	}{SecretValues: []valueEntry{}, Errors: []apiError{}}

	var found []*Secret
	switch {
	case len(in.SecretIdList) > 0 && len(in.Filters) > 0:
		return nil, &Fault{Code: "InvalidParameterException", Message: "either SecretIdList or Filters"}
	case len(in.SecretIdList) > 20:
		return nil, &Fault{Code: "InvalidParameterException", Message: "at most 20 ids"}
	case len(in.SecretIdList) > 0:
		for _, id := range in.SecretIdList {
			sec := s.lookup(id)
			if sec == nil || sec.Deleted {
				out.Errors = append(out.Errors, apiError{id, "ResourceNotFoundException", "Secrets Manager can't find the specified secret."})
				continue
			}
			found = append(found, sec)
		}
	default:
		page, next, fault := paginate(s.sorted(in.Filters, false), in.NextToken, in.MaxResults, 20)
		if fault != nil {
			return nil, fault
		}
		found, out.NextToken = page, next
	}
	for _, sec := range found {
		if sec.ErrorCode != "" {
			out.Errors = append(out.Errors, apiError{ARN(sec.Name), sec.ErrorCode, "smfake: " + sec.ErrorCode})
			continue
		}
		v := valueEntry{ARN: ARN(sec.Name), Name: sec.Name, VersionId: versionID(sec)}
		if sec.Binary != nil {
			v.SecretBinary = sec.Binary
		} else {
			v.SecretString = &sec.Value
		}
		out.SecretValues = append(out.SecretValues, v)
	}
	return out, nil
}

func (s *Server) lookup(id string) *Secret {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.find(id)
}

func paginate[T any](all []T, token string, max, limit int) ([]T, string, *Fault) {
	if max <= 0 || max > limit {
		max = limit
	}
	start := 0
	if token != "" {
		n, err := strconv.Atoi(token)
		if err != nil || n < 0 || n > len(all) {
			return nil, "", &Fault{Code: "InvalidNextTokenException", Message: "bad token"}
		}
		start = n
	}
	end := min(start+max, len(all))
	next := ""
	if end < len(all) {
		next = strconv.Itoa(end)
	}
	return all[start:end], next, nil
}
