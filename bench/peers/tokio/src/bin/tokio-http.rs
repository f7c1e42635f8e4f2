//! W11: HTTP/1.1 keep-alive plaintext server (hyper 0.14 on Tokio).
//! Answers `GET /plaintext` with `Hello, World!`; anything else gets 404.
//! Usage: tokio-http <port>

use std::convert::Infallible;
use std::net::SocketAddr;

use hyper::header::{HeaderValue, CONTENT_TYPE, SERVER};
use hyper::service::{make_service_fn, service_fn};
use hyper::{Body, Method, Request, Response, Server, StatusCode};

static BODY: &[u8] = b"Hello, World!";

async fn handle(req: Request<Body>) -> Result<Response<Body>, Infallible> {
    let mut res = if req.method() == Method::GET && req.uri().path() == "/plaintext" {
        let mut res = Response::new(Body::from(BODY));
        res.headers_mut().insert(CONTENT_TYPE, HeaderValue::from_static("text/plain"));
        res
    } else {
        let mut res = Response::new(Body::from("Not Found"));
        *res.status_mut() = StatusCode::NOT_FOUND;
        res
    };
    // hyper adds Date and Content-Length itself.
    res.headers_mut().insert(SERVER, HeaderValue::from_static("tokio-hyper"));
    Ok(res)
}

fn main() {
    let port: u16 = match std::env::args().nth(1).and_then(|p| p.parse().ok()) {
        Some(p) => p,
        None => {
            eprintln!("usage: tokio-http <port>");
            std::process::exit(2);
        }
    };
    let workers = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(workers)
        .enable_all()
        .build()
        .expect("cannot build the Tokio runtime");
    rt.block_on(async move {
        let addr = SocketAddr::from(([127, 0, 0, 1], port));
        let make_svc = make_service_fn(|_conn| async { Ok::<_, Infallible>(service_fn(handle)) });
        let server = match Server::try_bind(&addr) {
            Ok(builder) => builder.http1_only(true).http1_keepalive(true).tcp_nodelay(true).serve(make_svc),
            Err(e) => {
                eprintln!("tokio-http: cannot listen on {}: {}", addr, e);
                std::process::exit(1);
            }
        };
        if let Err(e) = server.await {
            eprintln!("tokio-http: {}", e);
            std::process::exit(1);
        }
    });
}
