// libFuzzer target: arbitrary bytes through HttpRequestParser, the code that reads whatever a client sends.
//
// Input: one control byte, then the bytes of the connection. The control byte picks the limits (defaults or tiny
// ones, with or without a per-route body-limit hook) and the size of the pieces the bytes arrive in. Each input is
// parsed twice, all at once and in pieces, and both runs must agree: the parser must not depend on how TCP happens
// to split the stream. Other checks: progress on every call, limits held, only the statuses we mean to send.
//
// Build: cmake -DAQ_BUILD_FUZZERS=ON with clang (see tests/fuzz/CMakeLists.txt); run:
//     fuzzhttprequest -max_total_time=60 corpus-work/ tests/fuzz/corpus/http/

#include <cstdint>
#include <cstdio>
#include <cstdlib>

#include <QByteArray>
#include <QList>
#include <QString>

#include "core/server/http/httprequest.h"
#include "core/server/http/httprequestparser.h"
#include "core/server/http/httpserverlimits.h"

using namespace Aq::Server;

namespace
{
    [[noreturn]] void fail(const char *what)
    {
        fprintf(stderr, "fuzzhttprequest: %s\n", what);
        abort();
    }

    // What a run produced, in a form two runs can be compared by.
    struct Outcome
    {
        QList<QByteArray> requests;
        int heads = 0;
        int errorStatus = 0;
    };

    QByteArray summarise(const HttpRequest &request)
    {
        QByteArray s = request.method() + ' ' + request.target() + ' ' + request.path().toUtf8() + ' '
            + QByteArray::number(request.httpMajorVersion()) + '.' + QByteArray::number(request.httpMinorVersion())
            + (request.isKeepAlive() ? " keep" : " close") + '\n';
        for (const auto &item : request.queryItems())
            s += "q " + item.first.toUtf8() + '=' + item.second.toUtf8() + '\n';
        for (qsizetype i = 0; i < request.headers().size(); ++i)
            s += "h " + request.headers().nameAt(i).toByteArray() + ": " + request.headers().valueAt(i).toByteArray() + '\n';
        s += "b " + request.body();
        return s;
    }

    void checkRequest(const HttpRequest &request, const HttpServerLimits &limits, qint64 bodyLimit)
    {
        if (request.target().size() > limits.maxUriBytes)
            fail("a target over maxUriBytes was accepted");
        if (request.body().size() > bodyLimit)
            fail("a body over the body limit was accepted");
        if (request.method().isEmpty())
            fail("a request without a method");
        // Lookups must agree with iteration, whatever the case of the name.
        for (qsizetype i = 0; i < request.headers().size(); ++i) {
            const QByteArrayView name = request.headers().nameAt(i);
            if (!request.headers().contains(name.toByteArray().toUpper()))
                fail("header lookup is not case-insensitive");
            const QByteArrayView value = request.headers().valueAt(i);
            if (value.contains('\r') || value.contains('\n'))
                fail("a header value holds a line break");
        }
        (void)request.queryItemValue(QStringLiteral("key"));
        (void)request.isHead();
    }

    Outcome run(const char *data, qsizetype size, qsizetype step, const HttpServerLimits &limits)
    {
        Outcome outcome;
        HttpRequestParser parser(limits);
        qsizetype offset = 0;
        while (offset < size) {
            const qsizetype end = std::min(size, offset + step);
            int stalls = 0;
            while (offset < end) {
                qsizetype used = 0;
                const auto event = parser.feed(data + offset, end - offset, used);
                if (used < 0 || used > end - offset)
                    fail("feed() reported more bytes than it was given");
                offset += used;
                stalls = (used == 0) ? stalls + 1 : 0;
                if (stalls > 2)
                    fail("feed() made no progress three times in a row");
                switch (event) {
                case HttpRequestParser::Event::NeedMoreData:
                    if (offset != end)
                        fail("NeedMoreData with bytes left over");
                    break;
                case HttpRequestParser::Event::HeadComplete:
                    ++outcome.heads;
                    (void)parser.request().path();
                    if (parser.expectsContinue() && !parser.hasBody())
                        fail("100-continue promised for a request without a body");
                    break;
                case HttpRequestParser::Event::MessageComplete: {
                    const qint64 bodyLimit = parser.bodyLimit();
                    const HttpRequest request = parser.takeRequest();
                    checkRequest(request, limits, bodyLimit);
                    outcome.requests.append(summarise(request));
                    break;
                }
                case HttpRequestParser::Event::Error:
                    switch (parser.errorStatus()) {
                    case 400: case 413: case 414: case 417: case 431: case 505:
                        break;
                    default:
                        fail("an error status the server does not mean to send");
                    }
                    if (parser.errorMessage().isEmpty())
                        fail("an error without a message");
                    outcome.errorStatus = parser.errorStatus();
                    return outcome;
                }
                if (!outcome.requests.isEmpty() && outcome.requests.size() > 10000)
                    return outcome;
            }
        }
        return outcome;
    }
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    const uint8_t control = data[0];
    const char *bytes = reinterpret_cast<const char *>(data + 1);
    const qsizetype length = qsizetype(size - 1);

    HttpServerLimits limits;
    if (control & 0x01) {
        limits.maxHeaderBytes = 200;
        limits.maxUriBytes = 40;
        limits.maxBodyBytes = 100;
    }
    if (control & 0x02) {
        limits.bodyLimitHook = [](const QByteArray &method, const QString &path) -> qint64 {
            if (path.startsWith(QStringLiteral("/small")))
                return 8;
            return method == "PUT" ? 0 : -1;
        };
    }
    const qsizetype step = std::max<qsizetype>(control >> 2, 1);

    const Outcome whole = run(bytes, length, std::max<qsizetype>(length, 1), limits);
    const Outcome pieces = run(bytes, length, step, limits);
    if (whole.requests != pieces.requests)
        fail("parsing in pieces gave other requests than parsing at once");
    if (whole.heads != pieces.heads)
        fail("parsing in pieces saw another number of heads");
    if (whole.errorStatus != pieces.errorStatus) {
        // A request wrong in two ways may be refused for either, depending on where the bytes were split: http-parser
        // reports the URL so far at the end of each buffer, so a long URL with a bad byte in it is 414 in pieces and
        // 400 at once. Both answers are right; what must not differ is whether it is refused, and any 413/417/505.
        const auto isFormatError = [](int status) { return status == 400 || status == 414 || status == 431; };
        if (!isFormatError(whole.errorStatus) || !isFormatError(pieces.errorStatus))
            fail("parsing in pieces ended with another error");
    }
    return 0;
}
