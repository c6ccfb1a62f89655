#include "core/server/http/httprequestparser.h"

#include <algorithm>
#include <climits>

#include <http_parser.h>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        // The body reserve is capped: a client may claim a large Content-Length and send nothing.
        constexpr qint64 MAX_BODY_RESERVE = 1024 * 1024;

        HttpRequestParser *owner(http_parser *parser)
        {
            return static_cast<HttpRequestParser *>(parser->data);
        }

        // RFC 7230 tchar. Debian builds http-parser without HTTP_PARSER_STRICT, which lets spaces into header names:
        // "Content-Length : 5" would then be a harmless unknown header to us and the framing header to a proxy in
        // front, the classic request-smuggling split. So names are checked here.
        bool isTokenChar(unsigned char c)
        {
            if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9'))
                return true;
            switch (c) {
            case '!': case '#': case '$': case '%': case '&': case '\'': case '*': case '+':
            case '-': case '.': case '^': case '_': case '`': case '|': case '~':
                return true;
            default:
                return false;
            }
        }
    }

    HttpRequestParser::HttpRequestParser(const HttpServerLimits &limits)
        : m_limits {limits}
        , m_parser {std::make_unique<http_parser>()}
    {
        reset();
    }

    HttpRequestParser::~HttpRequestParser() = default;

    void HttpRequestParser::setLimits(const HttpServerLimits &limits)
    {
        m_limits = limits;
    }

    const HttpServerLimits &HttpRequestParser::limits() const
    {
        return m_limits;
    }

    void HttpRequestParser::reset()
    {
        http_parser_init(m_parser.get(), HTTP_REQUEST);
        m_parser->data = this;
        m_paused = false;
        m_pausedAt = Event::NeedMoreData;
        m_errorStatus = 0;
        m_errorMessage.clear();
        startMessage();
    }

    void HttpRequestParser::startMessage()
    {
        m_request = HttpRequest();
        m_target.resize(0);   // keeps its capacity for the next request
        m_headBytes = 0;
        m_bodyLimit = m_limits.maxBodyBytes;
        m_messageBegun = false;
        m_headComplete = false;
        m_messageComplete = false;
        m_lastWasValue = false;
        m_hasField = false;
        m_expectsContinue = false;
        m_afterLineFeed = false;
    }

    HttpRequestParser::Event HttpRequestParser::feed(const char *data, qsizetype size, qsizetype &consumed)
    {
        consumed = 0;
        if (m_errorStatus != 0)
            return Event::Error;
        if (m_paused) {
            http_parser_pause(m_parser.get(), 0);
            m_paused = false;
        }
        if (m_messageComplete)
            startMessage();

        while (consumed < size) {
            qsizetype slice = size - consumed;
            if (!m_headComplete) {
                // Hand the parser no more than one byte past the head limit, so an over-long head is caught after
                // at most maxHeaderBytes + 1 bytes whatever the caller passes in.
                const qint64 room = std::max<qint64>(m_limits.maxHeaderBytes - m_headBytes + 1, 1);
                slice = qsizetype(std::min<qint64>(slice, room));
            }
            const bool wasInHead = !m_headComplete;
            const size_t used = http_parser_execute(m_parser.get(), &settings(), data + consumed, size_t(slice));
            consumed += qsizetype(used);
            if (wasInHead) {
                m_headBytes += qint64(used);
                if (hasFoldedLine(data + consumed - qsizetype(used), qsizetype(used))) {
                    fail(400, u"malformed HTTP request: folded (obs-fold) header lines are not accepted"_s);
                    return Event::Error;
                }
            }

            const auto error = HTTP_PARSER_ERRNO(m_parser.get());
            if (error == HPE_PAUSED) {
                m_paused = true;
                return m_pausedAt;
            }
            if (error != HPE_OK) {
                if (m_errorStatus == 0) {
                    if (error == HPE_HEADER_OVERFLOW) {
                        fail(431, u"request head exceeds the limit of %1 bytes"_s.arg(m_limits.maxHeaderBytes));
                    } else {
                        fail(400, u"malformed HTTP request: %1"_s.arg(QString::fromLatin1(http_errno_description(error))));
                    }
                }
                return Event::Error;
            }
            if (!m_headComplete && (m_headBytes > m_limits.maxHeaderBytes)) {
                fail(431, u"request head (request line and headers) exceeds the limit of %1 bytes"_s.arg(m_limits.maxHeaderBytes));
                return Event::Error;
            }
            if (qsizetype(used) < slice) {
                // Only after an upgrade or CONNECT does http-parser stop early without an error; we speak no other
                // protocol, so the rest cannot be understood.
                fail(400, u"malformed HTTP request: protocol upgrades are not supported"_s);
                return Event::Error;
            }
        }
        return Event::NeedMoreData;
    }

    bool HttpRequestParser::hasFoldedLine(const char *data, qsizetype size)
    {
        // http-parser joins a folded header line to the previous value without a separator ("one\r\n two" becomes
        // "onetwo"), which RFC 7230 3.2.4 does not allow; it lets a server answer 400 instead. In a head, a line
        // starting with SP or HTAB is always such a fold.
        for (qsizetype i = 0; i < size; ++i) {
            const char c = data[i];
            if (m_afterLineFeed && ((c == ' ') || (c == '\t')))
                return true;
            m_afterLineFeed = (c == '\n');
        }
        return false;
    }

    const HttpRequest &HttpRequestParser::request() const
    {
        return m_request;
    }

    HttpRequest HttpRequestParser::takeRequest()
    {
        return std::move(m_request);
    }

    bool HttpRequestParser::hasBody() const
    {
        return isChunked() || ((m_parser->content_length > 0) && (m_parser->content_length != ULLONG_MAX));
    }

    bool HttpRequestParser::isChunked() const
    {
        return (m_parser->flags & F_CHUNKED) != 0;
    }

    bool HttpRequestParser::expectsContinue() const
    {
        return m_expectsContinue;
    }

    qint64 HttpRequestParser::bodyLimit() const
    {
        return m_bodyLimit;
    }

    bool HttpRequestParser::isMidRequest() const
    {
        return m_messageBegun && !m_messageComplete;
    }

    int HttpRequestParser::errorStatus() const
    {
        return m_errorStatus;
    }

    const QString &HttpRequestParser::errorMessage() const
    {
        return m_errorMessage;
    }

    int HttpRequestParser::fail(int status, const QString &message)
    {
        m_errorStatus = status;
        m_errorMessage = message;
        return -1;   // any other value than 0 makes http-parser stop with HPE_CB_*
    }

    int HttpRequestParser::handleMessageBegin(http_parser *parser)
    {
        HttpRequestParser *self = owner(parser);
        self->m_messageBegun = true;
        return 0;
    }

    int HttpRequestParser::handleUrl(http_parser *parser, const char *at, size_t length)
    {
        HttpRequestParser *self = owner(parser);
        if (qint64(self->m_target.size()) + qint64(length) > self->m_limits.maxUriBytes)
            return self->fail(414, u"request URI exceeds the limit of %1 bytes"_s.arg(self->m_limits.maxUriBytes));
        self->m_target.append(at, qsizetype(length));
        return 0;
    }

    int HttpRequestParser::handleHeaderField(http_parser *parser, const char *at, size_t length)
    {
        HttpRequestParser *self = owner(parser);
        if (self->m_headComplete)
            return 0;   // a trailer after a chunked body: nothing we use, and http-parser bounds its size
        HttpHeaders &headers = self->m_request.headers();
        if (!self->m_hasField || self->m_lastWasValue) {
            if (self->m_hasField)
                headers.trimLastValue();
            else
                headers.reserve(16, 512);
            headers.beginField();
            self->m_hasField = true;
            self->m_lastWasValue = false;
        }
        for (size_t i = 0; i < length; ++i) {
            if (!isTokenChar(static_cast<unsigned char>(at[i])))
                return self->fail(400, u"malformed HTTP request: invalid character in a header name"_s);
        }
        headers.appendToName(QByteArrayView(at, qsizetype(length)));
        return 0;
    }

    int HttpRequestParser::handleHeaderValue(http_parser *parser, const char *at, size_t length)
    {
        HttpRequestParser *self = owner(parser);
        if (self->m_headComplete || !self->m_hasField)
            return 0;
        self->m_request.headers().appendToValue(QByteArrayView(at, qsizetype(length)));
        self->m_lastWasValue = true;
        return 0;
    }

    int HttpRequestParser::handleHeadersComplete(http_parser *parser)
    {
        HttpRequestParser *self = owner(parser);
        const int result = self->completeHead();
        if (result != 0)
            return result;
        self->m_pausedAt = Event::HeadComplete;
        http_parser_pause(parser, 1);
        return 0;
    }

    int HttpRequestParser::completeHead()
    {
        m_headComplete = true;
        if (m_hasField)
            m_request.headers().trimLastValue();
        http_parser *p = m_parser.get();
        if (p->http_major != 1)
            return fail(505, u"HTTP version %1.%2 is not supported"_s.arg(p->http_major).arg(p->http_minor));

        const char *method = http_method_str(http_method(p->method));
        m_request.setMethod(QByteArray::fromRawData(method, qsizetype(qstrlen(method))));   // static text: no copy
        m_request.setHttpVersion(p->http_major, p->http_minor);
        if (!m_request.setTarget(m_target))
            return fail(400, u"malformed HTTP request: the request target is not a valid URI"_s);

        m_bodyLimit = m_limits.maxBodyBytes;
        if (m_limits.bodyLimitHook) {
            const qint64 routeLimit = m_limits.bodyLimitHook(m_request.method(), m_request.path());
            if (routeLimit >= 0)
                m_bodyLimit = routeLimit;
        }
        const bool chunked = isChunked();
        const bool hasLength = !chunked && (p->content_length != ULLONG_MAX);
        if (hasLength && (p->content_length > quint64(m_bodyLimit))) {
            return fail(413, u"request body of %1 bytes exceeds the limit of %2 bytes"_s
                                 .arg(p->content_length).arg(m_bodyLimit));
        }

        // RFC 7231 5.1.1: an HTTP/1.0 server ignores Expect; for 1.1, 100-continue is the only expectation defined.
        if (p->http_minor >= 1) {
            const QByteArrayView expect = m_request.headers().valueView("Expect");
            if (!expect.isNull()) {
                if (expect.compare("100-continue", Qt::CaseInsensitive) != 0)
                    return fail(417, u"unsupported expectation \"%1\": only 100-continue is supported"_s.arg(QString::fromLatin1(expect.first(std::min<qsizetype>(expect.size(), 100)))));
                m_expectsContinue = hasBody();
            }
        }
        if (hasLength)
            m_request.body().reserve(qsizetype(std::min<qint64>(qint64(p->content_length), MAX_BODY_RESERVE)));
        return 0;
    }

    int HttpRequestParser::handleBody(http_parser *parser, const char *at, size_t length)
    {
        HttpRequestParser *self = owner(parser);
        QByteArray &body = self->m_request.body();
        if (qint64(body.size()) + qint64(length) > self->m_bodyLimit)
            return self->fail(413, u"request body exceeds the limit of %1 bytes"_s.arg(self->m_bodyLimit));
        body.append(at, qsizetype(length));
        return 0;
    }

    int HttpRequestParser::handleChunkHeader(http_parser *parser)
    {
        // Refuse an over-limit chunk from its size line, before its data arrives.
        HttpRequestParser *self = owner(parser);
        const quint64 chunkSize = parser->content_length;
        const qint64 bodySize = self->m_request.body().size();
        if (chunkSize > quint64(self->m_bodyLimit) || qint64(chunkSize) > self->m_bodyLimit - bodySize)
            return self->fail(413, u"request body exceeds the limit of %1 bytes"_s.arg(self->m_bodyLimit));
        return 0;
    }

    int HttpRequestParser::handleMessageComplete(http_parser *parser)
    {
        HttpRequestParser *self = owner(parser);
        self->m_messageComplete = true;
        self->m_request.setKeepAlive(http_should_keep_alive(parser) != 0);
        self->m_pausedAt = Event::MessageComplete;
        http_parser_pause(parser, 1);
        return 0;
    }

    const http_parser_settings &HttpRequestParser::settings()
    {
        static const http_parser_settings s = [] {
            http_parser_settings init;
            http_parser_settings_init(&init);
            init.on_message_begin = &HttpRequestParser::handleMessageBegin;
            init.on_url = &HttpRequestParser::handleUrl;
            init.on_header_field = &HttpRequestParser::handleHeaderField;
            init.on_header_value = &HttpRequestParser::handleHeaderValue;
            init.on_headers_complete = &HttpRequestParser::handleHeadersComplete;
            init.on_body = &HttpRequestParser::handleBody;
            init.on_chunk_header = &HttpRequestParser::handleChunkHeader;
            init.on_message_complete = &HttpRequestParser::handleMessageComplete;
            return init;
        }();
        return s;
    }
}
