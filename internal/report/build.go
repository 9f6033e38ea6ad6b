package report

import (
	"context"
	"errors"

	"github.com/ospo-bot/ospo-bot/internal/store"
)

func build(ctx context.Context, st *store.Store, o Options) (*Report, error) {
	return nil, errors.New("report: Build is being written (contract commit)")
}
