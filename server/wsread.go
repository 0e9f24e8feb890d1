package server

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
	"syscall"

	"github.com/gorilla/websocket"
)

// wsReadChunk is the size of the pooled buffers client frames are read
// into; a larger frame gets a buffer of its own while it is read.
const wsReadChunk = 4 << 10

// Errors of frameReader. errFrameTooLarge and errProtocol close the
// connection with 1009 and 1002.
var (
	errFrameTooLarge = errors.New("message too large")
	errProtocol      = errors.New("websocket protocol error")
)

// closeReceived is what next returns when the client closed.
type closeReceived struct{ code int }

func (e closeReceived) Error() string {
	return fmt.Sprintf("websocket closed by the client (%d)", e.code)
}

// frameReader reads a client's WebSocket messages off its socket (RFC
// 6455, section 5) in place of gorilla's reader; writes still go through
// gorilla. It exists for the idle connections, which are most of a
// node's: between two messages it holds no buffer (they are pooled), and
// it waits for the next one near the top of its goroutine's stack (fill,
// readable), so the garbage collector shrinks that stack to 4 KiB.
// Gorilla's reader waits at the bottom of its frame parser, which kept
// 8 KiB per connection.
type frameReader struct {
	nc     net.Conn
	raw    syscall.RawConn // nil: nc has no file descriptor to wait on
	chunks *sync.Pool      // of *[]byte, wsReadChunk long
	limit  int             // the largest message

	// back[start:end] is received and not yet parsed. back is *chunk,
	// or a buffer of its own for a frame larger than a chunk, and nil
	// while nothing is pending.
	back       []byte
	chunk      *[]byte
	start, end int
	used       int // the size of the frame the last message was returned in

	msg   []byte // a fragmented message's payload so far
	msgOp int    // its opcode; 0 when none

	onPing func(payload []byte) error
	onPong func() error
	// waiting, if set, is called before each wait for the socket (tests).
	waiting func()
}

func newFrameReader(nc net.Conn, chunks *sync.Pool, limit int) *frameReader {
	r := &frameReader{nc: nc, chunks: chunks, limit: limit}
	if sc, ok := nc.(syscall.Conn); ok {
		if raw, err := sc.SyscallConn(); err == nil {
			r.raw = raw
		}
	}
	return r
}

// next returns the next data message, answering pings and pongs on the
// way, with its opcode (websocket.TextMessage or BinaryMessage). The
// payload is valid until the next call. A close frame from the client is
// answered and returned as closeReceived.
func (r *frameReader) next() (int, []byte, error) {
	r.start += r.used
	r.used = 0
	r.msg = nil
	for {
		f, err := parseFrame(r.back[r.start:r.end], r.limit)
		if err != nil {
			return 0, nil, err
		}
		if f.size > r.end-r.start {
			if err := r.fill(f.size); err != nil {
				return 0, nil, err
			}
			continue
		}
		switch {
		case f.op >= websocket.CloseMessage:
			r.start += f.size
			if err := r.control(f); err != nil {
				return 0, nil, err
			}
		case f.op == 0: // a continuation
			if r.msgOp == 0 {
				return 0, nil, fmt.Errorf("%w: a continuation frame without a message", errProtocol)
			}
			if len(r.msg)+len(f.payload) > r.limit {
				return 0, nil, errFrameTooLarge
			}
			r.msg = append(r.msg, f.payload...)
			r.start += f.size
			if f.fin {
				op := r.msgOp
				r.msgOp = 0
				return op, r.msg, nil
			}
		case r.msgOp != 0:
			return 0, nil, fmt.Errorf("%w: a new message before the last one's final frame", errProtocol)
		case !f.fin:
			r.msgOp = f.op
			r.msg = append(make([]byte, 0, 2*len(f.payload)), f.payload...)
			r.start += f.size
		default:
			r.used = f.size
			return f.op, f.payload, nil
		}
	}
}

// control answers a ping with a pong and passes a pong on; a close frame
// is answered with the client's code and ends the reading.
func (r *frameReader) control(f frame) error {
	switch f.op {
	case websocket.PingMessage:
		if r.onPing != nil {
			return r.onPing(f.payload)
		}
	case websocket.PongMessage:
		if r.onPong != nil {
			return r.onPong()
		}
	case websocket.CloseMessage:
		code := websocket.CloseNoStatusReceived
		switch len(f.payload) {
		case 0:
		case 1:
			return fmt.Errorf("%w: a close frame of one byte", errProtocol)
		default:
			code = int(binary.BigEndian.Uint16(f.payload))
		}
		return closeReceived{code}
	}
	return nil
}

// fill reads until back[start:] holds need bytes or more. With nothing
// pending it gives its buffer back and waits for the socket first, so an
// idle connection holds none.
func (r *frameReader) fill(need int) error {
	if r.start == r.end {
		r.release()
		if r.waiting != nil {
			r.waiting()
		}
		if r.raw != nil {
			if err := r.raw.Read(readable); err != nil {
				return err
			}
		}
	}
	if r.back == nil {
		r.chunk = r.chunks.Get().(*[]byte)
		r.back = *r.chunk
	}
	if r.start+need > len(r.back) {
		pending := r.back[r.start:r.end]
		if need > len(r.back) {
			big := make([]byte, need)
			copy(big, pending)
			r.putChunk()
			r.back = big
		} else {
			copy(r.back, pending)
		}
		r.start, r.end = 0, len(pending)
	}
	for r.end-r.start < need {
		n, err := r.nc.Read(r.back[r.end:])
		r.end += n
		if n == 0 && err != nil {
			return err
		}
	}
	return nil
}

// release lets go of the buffer (nothing is pending in it).
func (r *frameReader) release() {
	r.putChunk()
	r.back, r.start, r.end = nil, 0, 0
}

func (r *frameReader) putChunk() {
	if r.chunk != nil {
		r.chunks.Put(r.chunk)
		r.chunk = nil
	}
}

// frame is a parsed frame header with its unmasked payload.
type frame struct {
	fin     bool
	op      int
	payload []byte
	size    int // of the whole frame: more than len(b) when b is short of it
}

// parseFrame parses the client frame at the start of b, unmasking its
// payload in place. When b holds only part of it, size says how many
// bytes it needs (at least len(b)+1) and payload is nil.
func parseFrame(b []byte, limit int) (frame, error) {
	if len(b) < 2 {
		return frame{size: 2}, nil
	}
	f := frame{fin: b[0]&0x80 != 0, op: int(b[0] & 0x0f)}
	if b[0]&0x70 != 0 {
		return f, fmt.Errorf("%w: reserved bits set (no extension was agreed)", errProtocol)
	}
	if b[1]&0x80 == 0 {
		return f, fmt.Errorf("%w: a client frame must be masked", errProtocol)
	}
	switch f.op {
	case 0, websocket.TextMessage, websocket.BinaryMessage:
	case websocket.CloseMessage, websocket.PingMessage, websocket.PongMessage:
		if !f.fin || b[1]&0x7f > 125 {
			return f, fmt.Errorf("%w: a control frame must be whole and at most 125 bytes", errProtocol)
		}
	default:
		return f, fmt.Errorf("%w: unknown opcode %d", errProtocol, f.op)
	}
	header, n := 2, uint64(b[1]&0x7f)
	switch n {
	case 126:
		header = 4
	case 127:
		header = 10
	}
	if len(b) < header+4 {
		return frame{size: header + 4}, nil
	}
	switch n {
	case 126:
		n = uint64(binary.BigEndian.Uint16(b[2:]))
	case 127:
		n = binary.BigEndian.Uint64(b[2:])
	}
	if n > uint64(limit) {
		return f, errFrameTooLarge
	}
	key := b[header : header+4]
	header += 4
	f.size = header + int(n)
	if len(b) < f.size {
		return frame{size: f.size}, nil
	}
	f.payload = b[header:f.size]
	for i := range f.payload {
		f.payload[i] ^= key[i&3]
	}
	return f, nil
}
