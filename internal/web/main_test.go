package web_test

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestMain removes the benchmark's generated databases at exit.
func TestMain(m *testing.M) { storetest.Main(m) }
