"""A bare websocket client for the console proxy tests: the handshake
exactly as a browser sends it (query string and Origin included, which
websockify's own client drops), the answer's status, and the first
binary frame of an accepted connection (the VNC server's RFB banner)."""
import base64
import os
import socket


class Handshake:
    """The proxy's answer to one websocket upgrade request."""

    def __init__(self, port, path, origin=None, host=None, timeout=15):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        lines = [f"GET {path} HTTP/1.1", f"Host: {host or f'127.0.0.1:{port}'}",
                 "Upgrade: websocket", "Connection: Upgrade",
                 f"Sec-WebSocket-Key: {base64.b64encode(os.urandom(16)).decode()}",
                 "Sec-WebSocket-Version: 13"]
        if origin is not None:
            lines.append(f"Origin: {origin}")
        self.sock.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
        head = self._read_until(b"\r\n\r\n")
        head, _, self.buffer = head.partition(b"\r\n\r\n")
        self.status = int(head.split(b" ", 2)[1]) if head else None
        self.head = head.decode("latin-1")

    def _read_until(self, marker, data=b""):
        while marker not in data:
            chunk = self.sock.recv(4096)
            if not chunk:
                break
            data += chunk
        return data

    def first_frame(self):
        """The payload of the first (short, unmasked) frame the proxy sends."""
        while len(self.buffer) < 2:
            self.buffer += self.sock.recv(4096)
        length = self.buffer[1] & 0x7F
        assert length < 126, "a longer first frame than an RFB banner"
        while len(self.buffer) < 2 + length:
            self.buffer += self.sock.recv(4096)
        return self.buffer[2:2 + length]

    def closed_by_peer(self, timeout=5):
        """Whether the proxy closes the connection (after a refusal) within
        `timeout` seconds; what it still sends before is read and dropped."""
        self.sock.settimeout(timeout)
        try:
            while self.sock.recv(4096):
                pass
        except ConnectionResetError:
            pass
        except socket.timeout:
            return False
        return True

    def close(self):
        self.sock.close()
