package store

import (
	"fmt"
	"runtime"

	"github.com/klauspost/compress/zstd"
)

// Packed is a webhook payload compressed for storage. GitHub's payloads are
// verbose JSON (a pull_request event is 28 KB); zstd at its fastest level
// shrinks them about sixfold, which keeps SQLite's WAL writes, and the
// large-allocation path of its allocator, off the intake's serial commit.
type Packed []byte

var (
	// One encoder state (about 600 KB) per CPU, so that deliveries are
	// packed in parallel: with one, concurrent Packs queue for it.
	encoder, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedFastest), zstd.WithEncoderConcurrency(runtime.GOMAXPROCS(0)))
	decoder, _ = zstd.NewReader(nil, zstd.WithDecoderConcurrency(0))
)

// Pack compresses a payload. Call it outside any transaction: it is the
// part of storing a delivery that runs in parallel.
func Pack(payload []byte) Packed {
	return encoder.EncodeAll(payload, make([]byte, 0, len(payload)/4))
}

// Unpack returns the payload a Packed holds.
func (p Packed) Unpack() ([]byte, error) {
	out, err := decoder.DecodeAll(p, nil)
	if err != nil {
		return nil, fmt.Errorf("stored payload is corrupt: %w", err)
	}
	return out, nil
}
