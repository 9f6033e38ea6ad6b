package githubfake

import "unicode/utf8"

// GitHub's size limits on what an app writes, and how GitHub measures them.
const (
	// maxBodyChars: an issue or comment body of more characters is refused
	// with 422 Validation Failed, {"resource":"Issue","code":"custom",
	// "field":"body","message":"body is too long (maximum is 65536
	// characters)"}, as reported against the REST API in
	// https://github.com/peter-evans/create-issue-from-file/issues/1049 and
	// https://github.com/googleapis/release-please/issues/1034. GitHub
	// counts characters (code points), not bytes.
	maxBodyChars = 65536
	// maxCheckOutputBytes: a check run's output.summary or output.text may
	// hold "Maximum length: 65535 characters"
	// (https://docs.github.com/rest/checks/runs#create-a-check-run), but
	// GitHub measures bytes: {"resource":"CheckRun","code":"custom",
	// "field":"summary","message":"summary exceeds a maximum bytesize of
	// 65535"} (https://github.com/github/docs/issues/35252).
	maxCheckOutputBytes = 65535
)

// bodyTooLong answers a body over maxBodyChars as GitHub does, or nil.
// resource is "Issue" or "IssueComment".
func bodyTooLong(resource string, body *string) *reply {
	if body == nil || utf8.RuneCountInString(*body) <= maxBodyChars {
		return nil
	}
	rep := invalid(resource, "body", "custom", "body is too long (maximum is 65536 characters)")
	return &rep
}

// checkOutputTooLong answers a check run summary or text over
// maxCheckOutputBytes as GitHub does, or nil.
func checkOutputTooLong(field string, text *string) *reply {
	if text == nil || len(*text) <= maxCheckOutputBytes {
		return nil
	}
	rep := invalid("CheckRun", field, "custom", field+" exceeds a maximum bytesize of 65535")
	return &rep
}
