package report_test

import (
	"database/sql"
	"fmt"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// atExit runs when the test binary ends: the benchmark's databases outlive
// a benchmark function, which runs several times.
var atExit []func()

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range atExit {
		f()
	}
	os.Exit(code)
}

func benchPostgresURL(b *testing.B) string {
	admin, err := sql.Open("pgx", storetest.PostgresURL())
	if err != nil {
		b.Fatal(err)
	}
	name := fmt.Sprintf("ospo_report_bench_%d", time.Now().UnixNano())
	if _, err := admin.Exec(`CREATE DATABASE ` + name); err != nil {
		admin.Close()
		b.Fatal(err)
	}
	atExit = append(atExit, func() {
		defer admin.Close()
		admin.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`)
	})
	u, err := url.Parse(storetest.PostgresURL())
	if err != nil {
		b.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}
