// Package logging builds ospo-bot's zerolog JSON logger and routes River's slog output into it.
package logging

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"time"

	"github.com/rs/zerolog"
)

// Field names shared by every log line that knows them.
const (
	FieldDelivery     = "github_delivery_id"
	FieldEvent        = "github_event_type"
	FieldInstallation = "github_installation_id"
	FieldRepository   = "github_repository"
	FieldPR           = "github_pr_num"
	FieldJob          = "job_id"
	FieldJobKind      = "job_kind"
)

// New returns a JSON logger writing to w at the named level
// (trace, debug, info, warn, error).
func New(w io.Writer, level string) (zerolog.Logger, error) {
	lvl, err := zerolog.ParseLevel(strings.ToLower(strings.TrimSpace(level)))
	if err != nil || lvl == zerolog.NoLevel {
		return zerolog.Nop(), fmt.Errorf("log level %q is not one of trace, debug, info, warn, error", level)
	}
	zerolog.TimeFieldFormat = time.RFC3339Nano
	return zerolog.New(w).Level(lvl).With().Timestamp().Logger(), nil
}

// Slog adapts l for libraries that log through log/slog (River).
func Slog(l zerolog.Logger) *slog.Logger {
	return slog.New(&slogHandler{l: l})
}

type slogHandler struct {
	l      zerolog.Logger
	prefix string // group path, "a.b."
}

func zeroLevel(l slog.Level) zerolog.Level {
	switch {
	case l >= slog.LevelError:
		return zerolog.ErrorLevel
	case l >= slog.LevelWarn:
		return zerolog.WarnLevel
	case l >= slog.LevelInfo:
		return zerolog.InfoLevel
	default:
		return zerolog.DebugLevel
	}
}

func (h *slogHandler) Enabled(_ context.Context, l slog.Level) bool {
	return zeroLevel(l) >= h.l.GetLevel()
}

func (h *slogHandler) Handle(_ context.Context, r slog.Record) error {
	e := h.l.WithLevel(zeroLevel(r.Level))
	r.Attrs(func(a slog.Attr) bool {
		addAttr(e, h.prefix, a)
		return true
	})
	e.Msg(r.Message)
	return nil
}

func addAttr(e *zerolog.Event, prefix string, a slog.Attr) {
	v := a.Value.Resolve()
	if v.Kind() == slog.KindGroup {
		p := prefix
		if a.Key != "" {
			p += a.Key + "."
		}
		for _, g := range v.Group() {
			addAttr(e, p, g)
		}
		return
	}
	if a.Key == "" {
		return
	}
	key := prefix + a.Key
	switch v.Kind() {
	case slog.KindString:
		e.Str(key, v.String())
	case slog.KindInt64:
		e.Int64(key, v.Int64())
	case slog.KindUint64:
		e.Uint64(key, v.Uint64())
	case slog.KindFloat64:
		e.Float64(key, v.Float64())
	case slog.KindBool:
		e.Bool(key, v.Bool())
	case slog.KindDuration:
		e.Dur(key, v.Duration())
	case slog.KindTime:
		e.Time(key, v.Time())
	default:
		if err, ok := v.Any().(error); ok {
			e.AnErr(key, err)
			return
		}
		e.Interface(key, v.Any())
	}
}

func (h *slogHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	c := h.l.With()
	for _, a := range attrs {
		c = c.Interface(h.prefix+a.Key, a.Value.Resolve().Any())
	}
	return &slogHandler{l: c.Logger(), prefix: h.prefix}
}

func (h *slogHandler) WithGroup(name string) slog.Handler {
	if name == "" {
		return h
	}
	return &slogHandler{l: h.l, prefix: h.prefix + name + "."}
}
