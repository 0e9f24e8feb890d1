package server

import (
	"bytes"
	"encoding/binary"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

func newChunkPool() *sync.Pool {
	return &sync.Pool{New: func() any {
		b := make([]byte, wsReadChunk)
		return &b
	}}
}

// readerOverTCP starts a WebSocket endpoint whose connection is read by a
// frameReader (limit bytes a message) and dials it with gorilla's client,
// writing through a buffer of 64 bytes so that longer messages go as
// several frames. The reader's messages and error come on the channels.
func readerOverTCP(t *testing.T, limit int, setup func(*frameReader, *websocket.Conn)) (*websocket.Conn, <-chan []byte, <-chan error) {
	t.Helper()
	msgs, errc := make(chan []byte, 100), make(chan error, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ws, err := (&websocket.Upgrader{}).Upgrade(w, r, nil)
		if err != nil {
			return
		}
		defer ws.Close()
		fr := newFrameReader(ws.NetConn(), newChunkPool(), limit)
		if fr.raw == nil {
			errc <- errors.New("a TCP connection gave the reader no file descriptor to wait on")
			return
		}
		setup(fr, ws)
		for {
			kind, data, err := fr.next()
			if err != nil {
				errc <- err
				return
			}
			msgs <- append([]byte{byte(kind)}, data...)
		}
	}))
	t.Cleanup(srv.Close)
	d := websocket.Dialer{WriteBufferSize: 64}
	ws, _, err := d.Dial("ws"+strings.TrimPrefix(srv.URL, "http"), nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ws.Close() })
	return ws, msgs, errc
}

func receive(t *testing.T, msgs <-chan []byte, errc <-chan error) (int, []byte) {
	t.Helper()
	select {
	case m := <-msgs:
		return int(m[0]), m[1:]
	case err := <-errc:
		t.Fatalf("the reader failed: %v", err)
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10 s")
	}
	return 0, nil
}

// TestFrameReader_ReadsWhatGorillaWrites sends whole and fragmented
// messages, with a ping between two fragments, from gorilla's client, and
// checks that each arrives as written, the ping is answered, and the
// reader holds no buffer whenever it waits for the socket.
func TestFrameReader_ReadsWhatGorillaWrites(t *testing.T) {
	var mu sync.Mutex
	var waits, heldWhileWaiting int
	pings := make(chan string, 1)
	ws, msgs, errc := readerOverTCP(t, 1<<20, func(fr *frameReader, sws *websocket.Conn) {
		fr.onPing = func(p []byte) error {
			pings <- string(p)
			return sws.WriteControl(websocket.PongMessage, p, time.Now().Add(time.Second))
		}
		fr.waiting = func() {
			mu.Lock()
			defer mu.Unlock()
			waits++
			if fr.back != nil || fr.chunk != nil {
				heldWhileWaiting++
			}
		}
	})
	pongs := make(chan string, 1)
	ws.SetPongHandler(func(p string) error { pongs <- p; return nil })
	go ws.ReadMessage() // runs the pong handler

	big := bytes.Repeat([]byte("0123456789"), 3*wsReadChunk/10) // fragmented, and larger than a chunk
	sent := [][]byte{[]byte(`{"type":"hello"}`), big, []byte("æøå"), {}}
	for i, m := range sent {
		kind := websocket.TextMessage
		if i == 2 {
			kind = websocket.BinaryMessage
		}
		if err := ws.WriteMessage(kind, m); err != nil {
			t.Fatal(err)
		}
		gotKind, got := receive(t, msgs, errc)
		if gotKind != kind || !bytes.Equal(got, m) {
			t.Fatalf("message %d: got kind %d, %d bytes; want kind %d, %d bytes", i, gotKind, len(got), kind, len(m))
		}
	}

	// A ping between the fragments of one message.
	w, err := ws.NextWriter(websocket.TextMessage)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("a"), 100)) // fills the 64-byte buffer: a first fragment goes
	if err := ws.WriteControl(websocket.PingMessage, []byte("p1"), time.Now().Add(time.Second)); err != nil {
		t.Fatal(err)
	}
	w.Write(bytes.Repeat([]byte("b"), 100))
	w.Close()
	if _, got := receive(t, msgs, errc); string(got) != strings.Repeat("a", 100)+strings.Repeat("b", 100) {
		t.Fatalf("the message around the ping arrived as %q", got)
	}
	for what, ch := range map[string]chan string{"ping passed on": pings, "pong the client got": pongs} {
		select {
		case p := <-ch:
			if p != "p1" {
				t.Errorf("the %s carries %q, want p1", what, p)
			}
		case <-time.After(5 * time.Second):
			t.Fatalf("no %s within 5 s", what)
		}
	}

	mu.Lock()
	defer mu.Unlock()
	if waits < len(sent) {
		t.Errorf("the reader waited for the socket %d times for %d messages", waits, len(sent)+1)
	}
	if heldWhileWaiting > 0 {
		t.Errorf("the reader held a buffer in %d of its %d waits", heldWhileWaiting, waits)
	}
}

// TestFrameReader_CloseAndLimits checks the close from the client and the
// limit on a message in fragments (one frame over the limit:
// TestFrameReader_RefusesBadFrames).
func TestFrameReader_CloseAndLimits(t *testing.T) {
	nothing := func(*frameReader, *websocket.Conn) {}
	t.Run("Close", func(t *testing.T) {
		ws, _, errc := readerOverTCP(t, 1000, nothing)
		ws.WriteControl(websocket.CloseMessage, websocket.FormatCloseMessage(websocket.CloseGoingAway, "bye"), time.Now().Add(time.Second))
		var closed closeReceived
		if err := <-errc; !errors.As(err, &closed) || closed.code != websocket.CloseGoingAway {
			t.Fatalf("got %v, want the close with 1001", err)
		}
	})
	t.Run("FragmentsTooLarge", func(t *testing.T) {
		ws, msgs, errc := readerOverTCP(t, 1000, nothing)
		ws.WriteMessage(websocket.TextMessage, make([]byte, 1000)) // at the limit: fine
		if _, got := receive(t, msgs, errc); len(got) != 1000 {
			t.Fatalf("got %d bytes, want 1000", len(got))
		}
		ws.WriteMessage(websocket.TextMessage, make([]byte, 1001)) // 64-byte fragments
		if err := <-errc; !errors.Is(err, errFrameTooLarge) {
			t.Fatalf("got %v, want errFrameTooLarge", err)
		}
	})
}

// clientFrame is one frame as a client writes it, masked with key.
func clientFrame(fin bool, op byte, payload []byte, key [4]byte) []byte {
	b0 := op
	if fin {
		b0 |= 0x80
	}
	f := []byte{b0}
	switch n := len(payload); {
	case n < 126:
		f = append(f, 0x80|byte(n))
	case n < 1<<16:
		f = append(f, 0x80|126)
		f = binary.BigEndian.AppendUint16(f, uint16(n))
	default:
		f = append(f, 0x80|127)
		f = binary.BigEndian.AppendUint64(f, uint64(n))
	}
	f = append(f, key[:]...)
	for i, c := range payload {
		f = append(f, c^key[i&3])
	}
	return f
}

// readBytes feeds stream to a frameReader over a pipe, step bytes per
// write, and returns the messages it read and the error it ended with.
func readBytes(t *testing.T, stream []byte, step, limit int) ([]string, error) {
	t.Helper()
	server, client := net.Pipe()
	defer server.Close()
	go func() {
		for len(stream) > 0 {
			n := min(step, len(stream))
			if _, err := client.Write(stream[:n]); err != nil {
				return
			}
			stream = stream[n:]
		}
		client.Close()
	}()
	fr := newFrameReader(server, newChunkPool(), limit)
	var got []string
	for {
		_, data, err := fr.next()
		if err != nil {
			return got, err
		}
		got = append(got, string(data))
	}
}

// TestFrameReader_FramesSplitAnywhere reads the same frames (short,
// 16-bit and 64-bit lengths, fragments, control frames between) written
// one byte at a time, in odd pieces and all at once.
func TestFrameReader_FramesSplitAnywhere(t *testing.T) {
	key := [4]byte{1, 2, 3, 250}
	mid := strings.Repeat("m", 300)
	huge := strings.Repeat("h", 70000)
	var stream []byte
	stream = append(stream, clientFrame(true, websocket.TextMessage, []byte("short"), key)...)
	stream = append(stream, clientFrame(true, websocket.PingMessage, []byte("ping"), key)...)
	stream = append(stream, clientFrame(true, websocket.TextMessage, []byte(mid), key)...)
	stream = append(stream, clientFrame(false, websocket.TextMessage, []byte("frag1,"), key)...)
	stream = append(stream, clientFrame(true, websocket.PongMessage, nil, key)...)
	stream = append(stream, clientFrame(false, 0, []byte("frag2,"), key)...)
	stream = append(stream, clientFrame(true, 0, []byte("frag3"), key)...)
	stream = append(stream, clientFrame(true, websocket.TextMessage, []byte(huge), key)...)
	stream = append(stream, clientFrame(true, websocket.TextMessage, nil, key)...)
	want := []string{"short", mid, "frag1,frag2,frag3", huge, ""}
	for _, step := range []int{1, 7, 1000, len(stream)} {
		got, err := readBytes(t, bytes.Clone(stream), step, 1<<20)
		if len(got) != len(want) {
			t.Fatalf("step %d: %d messages, want %d (then %v)", step, len(got), len(want), err)
		}
		for i := range want {
			if got[i] != want[i] {
				t.Errorf("step %d: message %d differs (%d bytes, want %d)", step, i, len(got[i]), len(want[i]))
			}
		}
		if err == nil || errors.Is(err, errProtocol) {
			t.Errorf("step %d: ended with %v, want the end of the stream", step, err)
		}
	}
}

// TestFrameReader_RefusesBadFrames checks that each frame RFC 6455
// forbids a client to send ends the reading with errProtocol (the
// connection is closed with 1002) or, for a length over the limit,
// errFrameTooLarge before the payload is read.
func TestFrameReader_RefusesBadFrames(t *testing.T) {
	key := [4]byte{9, 8, 7, 6}
	unmasked := clientFrame(true, websocket.TextMessage, []byte("hi"), key)
	unmasked[1] &^= 0x80
	rsv := clientFrame(true, websocket.TextMessage, []byte("hi"), key)
	rsv[0] |= 0x40
	hugeLength := []byte{0x81, 0x80 | 127, 0x80, 0, 0, 0, 0, 0, 0, 0, 1, 2, 3, 4}
	for _, tc := range []struct {
		name   string
		stream []byte
		want   error
	}{
		{"Unmasked", unmasked, errProtocol},
		{"ReservedBits", rsv, errProtocol},
		{"UnknownOpcode", clientFrame(true, 3, nil, key), errProtocol},
		{"LongPing", clientFrame(true, websocket.PingMessage, make([]byte, 126), key), errProtocol},
		{"FragmentedPing", clientFrame(false, websocket.PingMessage, nil, key), errProtocol},
		{"ContinuationFirst", clientFrame(true, 0, []byte("x"), key), errProtocol},
		{"NewMessageMidFragments", append(clientFrame(false, websocket.TextMessage, []byte("x"), key),
			clientFrame(true, websocket.TextMessage, []byte("y"), key)...), errProtocol},
		{"OneByteClose", clientFrame(true, websocket.CloseMessage, []byte{3}, key), errProtocol},
		{"LengthOverLimit", clientFrame(true, websocket.TextMessage, make([]byte, 101), key), errFrameTooLarge},
		{"LengthOf2To63", hugeLength, errFrameTooLarge},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := readBytes(t, tc.stream, 3, 100)
			if len(got) != 0 || !errors.Is(err, tc.want) {
				t.Fatalf("got messages %q and %v, want none and %v", got, err, tc.want)
			}
		})
	}
}
