package review

import "fmt"

// CommandKey is the natural key of what the i-th command of a comment, as
// written when it was created, did (its audit row): the same for every
// delivery of the comment and every retry of its job. An edit's acts are
// keyed by the edit (store.ApplyCommentEdit).
func CommandKey(commentID int64, i int, action string) string {
	return fmt.Sprintf("comment %d command %d %s", commentID, i, action)
}
