package dev.finauth.openapi;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * A TCP relay on loopback in front of the sandbox, for what the sandbox cannot show: the exact
 * bytes each client sent (its request recording keeps one value per header name, so a header
 * sent twice would not show), and answers held back by a delay (so that concurrent calls all
 * send their first attempt before any answer arrives).
 */
final class Relay implements AutoCloseable {
    private static final Pattern REQUEST_LINE = Pattern.compile("^[A-Z]+ \\S+ HTTP/1\\.[01]$");

    private final ServerSocket server;
    private final String host;
    private final int port;
    private final long answerDelayMillis;
    private final List<Socket> sockets = Collections.synchronizedList(new ArrayList<>());
    private final List<ByteArrayOutputStream> captures = Collections.synchronizedList(new ArrayList<>());

    Relay(String targetUrl, long answerDelayMillis) throws IOException {
        URI target = URI.create(targetUrl);
        this.host = target.getHost();
        this.port = target.getPort();
        this.answerDelayMillis = answerDelayMillis;
        this.server = new ServerSocket(0, 512, InetAddress.getLoopbackAddress());
        Thread acceptor = new Thread(this::accept, "relay-accept");
        acceptor.setDaemon(true);
        acceptor.start();
    }

    String url() {
        return "http://127.0.0.1:" + server.getLocalPort();
    }

    private void accept() {
        while (!server.isClosed()) {
            try {
                Socket client = server.accept();
                Socket upstream = new Socket(host, port);
                sockets.add(client);
                sockets.add(upstream);
                ByteArrayOutputStream capture = new ByteArrayOutputStream();
                captures.add(capture);
                pump(client, upstream, capture, 0);
                pump(upstream, client, null, answerDelayMillis);
            } catch (IOException e) {
                return;
            }
        }
    }

    private static void pump(Socket from, Socket to, ByteArrayOutputStream capture, long delayMillis) {
        Thread t = new Thread(() -> {
            byte[] buf = new byte[16 * 1024];
            try {
                InputStream in = from.getInputStream();
                OutputStream out = to.getOutputStream();
                int n;
                while ((n = in.read(buf)) > 0) {
                    if (capture != null) {
                        synchronized (capture) {
                            capture.write(buf, 0, n);
                        }
                    }
                    if (delayMillis > 0) Thread.sleep(delayMillis);
                    out.write(buf, 0, n);
                    out.flush();
                }
                to.shutdownOutput();
            } catch (IOException | InterruptedException e) {
                // a connection closed by either side
            }
        }, "relay-pump");
        t.setDaemon(true);
        t.start();
    }

    /** Every line the clients sent (request lines, headers, bodies), connection by connection. */
    List<String> sentLines() {
        List<String> lines = new ArrayList<>();
        synchronized (captures) {
            for (ByteArrayOutputStream c : captures) {
                String text;
                synchronized (c) {
                    text = c.toString(StandardCharsets.ISO_8859_1);
                }
                Collections.addAll(lines, text.split("\r\n", -1));
            }
        }
        return lines;
    }

    /** HTTP/1.x requests the clients sent. */
    int requests() {
        return (int) sentLines().stream().filter(l -> REQUEST_LINE.matcher(l).matches()).count();
    }

    /** Header lines named `name` (any case) the clients sent, over all requests. */
    int headerLines(String name) {
        String prefix = name.toLowerCase(Locale.ROOT) + ":";
        return (int) sentLines().stream().filter(l -> l.toLowerCase(Locale.ROOT).startsWith(prefix)).count();
    }

    @Override
    public void close() throws IOException {
        server.close();
        synchronized (sockets) {
            for (Socket s : sockets) {
                try {
                    s.close();
                } catch (IOException e) {
                    // closing anyway
                }
            }
        }
    }
}
