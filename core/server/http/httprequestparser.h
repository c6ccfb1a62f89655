#pragma once

#include <memory>

#include <QString>

#include "core/server/http/httprequest.h"
#include "core/server/http/httpserverlimits.h"

struct http_parser;
struct http_parser_settings;

namespace Aq::Server
{
    // Turns bytes into HttpRequests with http-parser, enforcing HttpServerLimits while it reads, so nothing over a
    // limit is ever buffered. It owns no socket: HttpConnection drives it, and so does the fuzzer.
    //
    // feed() stops at each event and reports how many bytes it used; the caller keeps the rest and feeds it again
    // when it is ready (that is how pipelined requests wait their turn):
    //     HeadComplete    request() has method, target, headers; the body (if any) follows. The body limit was
    //                     checked against Content-Length already; answer "100 Continue" here if expectsContinue().
    //     MessageComplete the whole request is in; takeRequest() it.
    //     Error           errorStatus()/errorMessage() say what to answer; the connection must then close.
    //     NeedMoreData    every byte given was used.
    class HttpRequestParser
    {
    public:
        enum class Event
        {
            NeedMoreData,
            HeadComplete,
            MessageComplete,
            Error,
        };

        explicit HttpRequestParser(const HttpServerLimits &limits = {});
        ~HttpRequestParser();
        HttpRequestParser(const HttpRequestParser &) = delete;
        HttpRequestParser &operator=(const HttpRequestParser &) = delete;

        void setLimits(const HttpServerLimits &limits);
        const HttpServerLimits &limits() const;

        Event feed(const char *data, qsizetype size, qsizetype &consumed);
        // Back to the state of a fresh connection.
        void reset();

        const HttpRequest &request() const;
        HttpRequest takeRequest();
        // After HeadComplete: a body follows (Content-Length > 0 or chunked).
        bool hasBody() const;
        bool isChunked() const;
        // After HeadComplete: HTTP/1.1 "Expect: 100-continue" with a body that is within its limit.
        bool expectsContinue() const;
        qint64 bodyLimit() const;
        // Part of a request was read and its end was not: what a request timeout looks at.
        bool isMidRequest() const;

        int errorStatus() const;
        const QString &errorMessage() const;

    private:
        static const http_parser_settings &settings();
        static int handleMessageBegin(http_parser *parser);
        static int handleUrl(http_parser *parser, const char *at, size_t length);
        static int handleHeaderField(http_parser *parser, const char *at, size_t length);
        static int handleHeaderValue(http_parser *parser, const char *at, size_t length);
        static int handleHeadersComplete(http_parser *parser);
        static int handleBody(http_parser *parser, const char *at, size_t length);
        static int handleChunkHeader(http_parser *parser);
        static int handleMessageComplete(http_parser *parser);

        int completeHead();
        int fail(int status, const QString &message);
        void startMessage();
        bool hasFoldedLine(const char *data, qsizetype size);

        HttpServerLimits m_limits;
        std::unique_ptr<http_parser> m_parser;
        HttpRequest m_request;
        QByteArray m_target;
        qint64 m_headBytes = 0;
        qint64 m_bodyLimit = 0;
        Event m_pausedAt = Event::NeedMoreData;
        bool m_paused = false;
        bool m_messageBegun = false;
        bool m_headComplete = false;
        bool m_messageComplete = false;
        bool m_lastWasValue = false;
        bool m_hasField = false;
        bool m_expectsContinue = false;
        bool m_afterLineFeed = false;
        int m_errorStatus = 0;
        QString m_errorMessage;
    };
}
