package review

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/google/go-github/v66/github"

	"github.com/ospo-bot/ospo-bot/internal/fit"
	"github.com/ospo-bot/ospo-bot/internal/ghclient"
	"github.com/ospo-bot/ospo-bot/internal/inert"
)

// ReplyMarker names, hidden in the bot's reply, the comment it answers.
func ReplyMarker(commentID int64) string {
	return fmt.Sprintf("<!-- ospo-bot:reply comment=%d -->", commentID)
}

// AnswerOnce acknowledges a new comment that did something with a +1
// reaction (when react) and posts the replies to it as one comment, once
// however often the comment is delivered or its job retried: the intent
// is recorded before the reply is posted and its ID after; a retry that
// finds the intent without the ID (the reply's response was lost, or the
// job died) looks for the reply by its marker among the bot's comments on
// the issue before posting. The +1 reaction is GitHub's to keep once.
func (m *Manager) AnswerOnce(ctx context.Context, client *github.Client, owner, name string, number int, commentID int64, react bool, replies []string) error {
	return m.answerOnce(ctx, client, owner, name, number, commentID, "", react, replies)
}

// AnswerEditOnce is AnswerOnce for an edit of a comment, named by its
// edit key (store.EditKey): each edit is answered once.
func (m *Manager) AnswerEditOnce(ctx context.Context, client *github.Client, owner, name string, number int, commentID int64, editKey string, react bool, replies []string) error {
	sum := sha256.Sum256([]byte(editKey))
	return m.answerOnce(ctx, client, owner, name, number, commentID, hex.EncodeToString(sum[:6]), react, replies)
}

func (m *Manager) answerOnce(ctx context.Context, client *github.Client, owner, name string, number int, commentID int64, edit string, react bool, replies []string) error {
	if react {
		if err := acknowledge(ctx, client, owner, name, commentID); err != nil {
			return err
		}
	}
	if len(replies) == 0 {
		return nil
	}
	key := fmt.Sprintf("reply to comment %d", commentID)
	marker := ReplyMarker(commentID)
	if edit != "" {
		key += " edit " + edit
		marker = strings.TrimSuffix(marker, " -->") + " edit=" + edit + " -->"
	}
	return m.CommentOnce(ctx, client, owner, name, number, key, marker, strings.Join(replies, "\n\n"))
}

// CommentOnce posts body, with marker hidden at its end, on the issue
// once under the side effect key: the intent is recorded before the
// comment is posted and its ID after; a retry that finds the intent
// without the ID (the comment's response was lost, or the job died after
// it) looks for the marker among the bot's comments on the issue before
// posting.
func (m *Manager) CommentOnce(ctx context.Context, client *github.Client, owner, name string, number int, key, marker, body string) error {
	prior, found, err := m.Store.IntendSideEffect(ctx, key)
	if err != nil || prior.Done {
		return err
	}
	if found {
		id, err := m.findReply(ctx, client, owner, name, number, marker)
		if err != nil {
			return err
		}
		if id != 0 {
			return m.Store.CompleteSideEffect(ctx, key, id)
		}
	}
	body = fit.Body.Cut(inert.Cap(body), fit.Body.Max-fit.Body.Len(marker)-2) + "\n\n" + marker
	c, _, err := client.Issues.CreateComment(ctx, owner, name, number, &github.IssueComment{Body: &body})
	if err != nil {
		return fmt.Errorf("comment on %s/%s#%d: %w", owner, name, number, err)
	}
	return m.Store.CompleteSideEffect(ctx, key, c.GetID())
}

// findReply is the ID of the bot's comment on the issue holding marker,
// 0 when there is none.
func (m *Manager) findReply(ctx context.Context, client *github.Client, owner, name string, number int, marker string) (int64, error) {
	bot, err := m.Bot.Resolve(ctx, client)
	if err != nil {
		return 0, err
	}
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	c, err := ghclient.First(&opts.ListOptions, func(*github.ListOptions) ([]*github.IssueComment, *github.Response, error) {
		return client.Issues.ListComments(ctx, owner, name, number, opts)
	}, func(c *github.IssueComment) bool {
		return bot.Wrote(c.GetUser()) && strings.Contains(c.GetBody(), marker)
	})
	if err != nil {
		return 0, fmt.Errorf("look for the reply on %s/%s#%d: %w", owner, name, number, err)
	}
	return c.GetID(), nil
}
