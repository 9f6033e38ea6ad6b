package web

import (
	"testing"

	"github.com/ospo-bot/ospo-bot/internal/store/storetest"
)

// TestMain removes the generated org of the benchmarks at exit.
func TestMain(m *testing.M) { storetest.Main(m) }
