import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";

export interface FakeAnswer {
  status: number;
  body: string;
  contentType?: string;
}

export interface RecordedRequest {
  method: string;
  url: string;
  body: string;
}

/** A stand-in for the image API on a free loopback port, answering one route table. */
export interface FakeApi {
  baseUrl: string;
  requests: RecordedRequest[];
  close: () => Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Start the fake API; `answer` maps "METHOD /path?query" to a response. */
export async function startFakeApi(
  answer: (route: string) => FakeAnswer,
): Promise<FakeApi> {
  const requests: RecordedRequest[] = [];
  const server: Server = createServer(async (request, response) => {
    const method = request.method ?? "GET";
    const url = request.url ?? "/";
    requests.push({ method, url, body: await readBody(request) });
    const { status, body, contentType } = answer(`${method} ${url}`);
    response.writeHead(status, {
      "Content-Type": contentType ?? "application/json",
    });
    response.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;

  return {
    baseUrl: `http://127.0.0.1:${port}/_aws/execute-api/test`,
    requests,
    close: () =>
      new Promise<void>((resolve, reject) =>
        server.close((error) => (error ? reject(error) : resolve())),
      ),
  };
}
