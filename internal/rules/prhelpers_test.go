package rules

import (
	"fmt"
	"strings"
	"time"
)

// Test fixtures for the pull request rules.

func user(id int64, login string) *Account { return &Account{ID: id, Login: login, Type: "User"} }

func bot(id int64, login string) *Account { return &Account{ID: id, Login: login, Type: "Bot"} }

// by is a commit author or committer linked to an account.
func by(a *Account, name, email string) Person { return Person{Name: name, Email: email, Account: a} }

// unlinked is a commit author or committer with no account.
func unlinked(name, email string) Person { return Person{Name: name, Email: email} }

var (
	alice = user(1, "alice")
	bob   = user(2, "bob")
	carol = user(3, "carol")

	aliceP = by(alice, "Alice Liddell", "alice@home.example")
	bobP   = by(bob, "Bob Builder", "bob@home.example")
	carolP = by(carol, "Carol Danvers", "carol@acme.example")
)

// commit makes a commit by author, committed by the author, with the
// message's trailers; the SHA is derived from n.
func commit(n int, author Person, message string) Commit {
	return Commit{SHA: sha(n), Message: message, Parents: 1, Author: author, Committer: author}
}

func sha(n int) string { return fmt.Sprintf("%07x%033d", n+0xabc0000, n) }

// signedOff is a commit message signed off by p.
func signedOff(p Person, extra ...string) string {
	return "Change\n\nBody.\n\n" + strings.Join(append(extra, "Signed-off-by: "+p.Name+" <"+p.Email+">"), "\n") + "\n"
}

// pullRequest makes a complete pull request opened by alice.
func pullRequest(commits ...Commit) *PullRequest {
	return &PullRequest{Owner: "acme", Name: "widget", Number: 7, Opener: *alice,
		Commits: commits, CommitsComplete: true, CommitCount: len(commits), FilesComplete: true,
		Signatures: map[int64]Signature{}}
}

// signed records signatures of version on pr.
func signed(pr *PullRequest, version string, accounts ...*Account) *PullRequest {
	for _, a := range accounts {
		pr.Signatures[a.ID] = Signature{UserID: a.ID, Login: a.Login, Version: version, At: time.Date(2024, 5, 1, 0, 0, 0, 0, time.UTC)}
	}
	return pr
}
