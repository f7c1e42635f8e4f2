//! W12: RESP (Redis protocol) server on Tokio: PING, SET, GET (+ ECHO, DEL,
//! CONFIG GET, COMMAND stubs), pipelined requests, inline commands.
//! Usage: tokio-resp <port>

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

type Store = Arc<Mutex<HashMap<Vec<u8>, Vec<u8>>>>;

const MAX_REQUEST: usize = 64 * 1024 * 1024;

fn find_crlf(buf: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while i + 1 < buf.len() {
        match buf[i..].iter().position(|&b| b == b'\r') {
            Some(off) => {
                let at = i + off;
                if at + 1 >= buf.len() {
                    return None;
                }
                if buf[at + 1] == b'\n' {
                    return Some(at);
                }
                i = at + 1;
            }
            None => return None,
        }
    }
    None
}

fn parse_int(s: &[u8]) -> Option<i64> {
    let (neg, digits) = match s.first() {
        Some(b'-') => (true, &s[1..]),
        _ => (false, s),
    };
    if digits.is_empty() || digits.len() > 18 {
        return None;
    }
    let mut v: i64 = 0;
    for &d in digits {
        if !d.is_ascii_digit() {
            return None;
        }
        v = v * 10 + (d - b'0') as i64;
    }
    Some(if neg { -v } else { v })
}

/// Parses one command at the start of `buf`, storing the argument ranges in
/// `args`. Ok(None): incomplete; Ok(Some(n)): one command of `n` bytes.
fn parse(buf: &[u8], args: &mut Vec<(usize, usize)>) -> Result<Option<usize>, &'static str> {
    args.clear();
    if buf.is_empty() {
        return Ok(None);
    }
    if buf[0] == b'*' {
        let end = match find_crlf(buf, 1) {
            Some(e) => e,
            None => return Ok(None),
        };
        let count = parse_int(&buf[1..end]).ok_or("invalid multibulk length")?;
        if !(0..=1024 * 1024).contains(&count) {
            return Err("invalid multibulk length");
        }
        let mut pos = end + 2;
        for _ in 0..count {
            if pos >= buf.len() {
                return Ok(None);
            }
            if buf[pos] != b'$' {
                return Err("expected '$'");
            }
            let end = match find_crlf(buf, pos + 1) {
                Some(e) => e,
                None => return Ok(None),
            };
            let len = parse_int(&buf[pos + 1..end]).ok_or("invalid bulk length")?;
            if len < 0 || len as usize > MAX_REQUEST {
                return Err("invalid bulk length");
            }
            let start = end + 2;
            let data_end = start + len as usize;
            if data_end + 2 > buf.len() {
                return Ok(None);
            }
            if &buf[data_end..data_end + 2] != b"\r\n" {
                return Err("bulk not terminated by CRLF");
            }
            args.push((start, len as usize));
            pos = data_end + 2;
        }
        Ok(Some(pos))
    } else {
        // Inline command: one line of space-separated words.
        let nl = match buf.iter().position(|&b| b == b'\n') {
            Some(n) => n,
            None => return Ok(None),
        };
        let line_end = if nl > 0 && buf[nl - 1] == b'\r' { nl - 1 } else { nl };
        let mut i = 0;
        while i < line_end {
            while i < line_end && buf[i] == b' ' {
                i += 1;
            }
            let start = i;
            while i < line_end && buf[i] != b' ' {
                i += 1;
            }
            if i > start {
                args.push((start, i - start));
            }
        }
        Ok(Some(nl + 1))
    }
}

fn bulk(out: &mut Vec<u8>, data: &[u8]) {
    out.push(b'$');
    out.extend_from_slice(data.len().to_string().as_bytes());
    out.extend_from_slice(b"\r\n");
    out.extend_from_slice(data);
    out.extend_from_slice(b"\r\n");
}

fn execute(buf: &[u8], args: &[(usize, usize)], store: &Store, out: &mut Vec<u8>) {
    if args.is_empty() {
        return;
    }
    let arg = |i: usize| &buf[args[i].0..args[i].0 + args[i].1];
    let cmd = arg(0);
    let n = args.len();
    if cmd.eq_ignore_ascii_case(b"PING") {
        match n {
            1 => out.extend_from_slice(b"+PONG\r\n"),
            2 => bulk(out, arg(1)),
            _ => out.extend_from_slice(b"-ERR wrong number of arguments for 'ping' command\r\n"),
        }
    } else if cmd.eq_ignore_ascii_case(b"SET") {
        if n != 3 {
            out.extend_from_slice(b"-ERR wrong number of arguments for 'set' command\r\n");
            return;
        }
        store.lock().unwrap().insert(arg(1).to_vec(), arg(2).to_vec());
        out.extend_from_slice(b"+OK\r\n");
    } else if cmd.eq_ignore_ascii_case(b"GET") {
        if n != 2 {
            out.extend_from_slice(b"-ERR wrong number of arguments for 'get' command\r\n");
            return;
        }
        let map = store.lock().unwrap();
        match map.get(arg(1)) {
            Some(v) => bulk(out, v),
            None => out.extend_from_slice(b"$-1\r\n"),
        }
    } else if cmd.eq_ignore_ascii_case(b"DEL") {
        let mut map = store.lock().unwrap();
        let removed = (1..n).filter(|&i| map.remove(arg(i)).is_some()).count();
        out.extend_from_slice(format!(":{}\r\n", removed).as_bytes());
    } else if cmd.eq_ignore_ascii_case(b"ECHO") && n == 2 {
        bulk(out, arg(1));
    } else if cmd.eq_ignore_ascii_case(b"CONFIG") && n == 3 && arg(1).eq_ignore_ascii_case(b"GET") {
        // redis-benchmark asks for "save" and "appendonly": answer empty values.
        out.extend_from_slice(b"*2\r\n");
        bulk(out, arg(2));
        bulk(out, b"");
    } else if cmd.eq_ignore_ascii_case(b"COMMAND") {
        out.extend_from_slice(b"*0\r\n");
    } else {
        out.extend_from_slice(b"-ERR unknown command\r\n");
    }
}

async fn serve(mut stream: TcpStream, store: Store) {
    let _ = stream.set_nodelay(true);
    let mut buf: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(16 * 1024);
    let mut args: Vec<(usize, usize)> = Vec::with_capacity(8);
    loop {
        if buf.capacity() - buf.len() < 4096 {
            buf.reserve(buf.capacity().max(4096));
        }
        match stream.read_buf(&mut buf).await {
            Ok(0) | Err(_) => return,
            Ok(_) => {}
        }
        let mut pos = 0;
        loop {
            match parse(&buf[pos..], &mut args) {
                Ok(Some(used)) => {
                    execute(&buf[pos..], &args, &store, &mut out);
                    pos += used;
                }
                Ok(None) => break,
                Err(msg) => {
                    out.extend_from_slice(format!("-ERR Protocol error: {}\r\n", msg).as_bytes());
                    let _ = stream.write_all(&out).await;
                    return;
                }
            }
        }
        buf.drain(..pos);
        if buf.len() > MAX_REQUEST {
            return;
        }
        if !out.is_empty() {
            if stream.write_all(&out).await.is_err() {
                return;
            }
            out.clear();
        }
    }
}

fn main() {
    let port: u16 = match std::env::args().nth(1).and_then(|p| p.parse().ok()) {
        Some(p) => p,
        None => {
            eprintln!("usage: tokio-resp <port>");
            std::process::exit(2);
        }
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("cannot build the Tokio runtime");
    let store: Store = Arc::new(Mutex::new(HashMap::new()));
    rt.block_on(async move {
        let listener = TcpListener::bind(("127.0.0.1", port)).await.unwrap_or_else(|e| {
            eprintln!("tokio-resp: cannot listen on 127.0.0.1:{}: {}", port, e);
            std::process::exit(1);
        });
        loop {
            match listener.accept().await {
                Ok((stream, _)) => {
                    tokio::spawn(serve(stream, store.clone()));
                }
                Err(e) => eprintln!("tokio-resp: accept: {}", e),
            }
        }
    });
}
