#include "core/server/http/httpresponse.h"

#include "core/common/apierror.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    const QByteArray HttpResponse::JSON_CONTENT_TYPE = "application/json; charset=UTF-8"_ba;

    HttpResponse::HttpResponse(int statusCode, const QByteArray &contentType, const QByteArray &body)
        : m_statusCode {statusCode}
        , m_contentType {contentType}
        , m_body {body}
    {
    }

    HttpResponse HttpResponse::json(int statusCode, const QByteArray &body)
    {
        return HttpResponse(statusCode, JSON_CONTENT_TYPE, body);
    }

    HttpResponse HttpResponse::fromError(const ApiError &error)
    {
        return json(error.httpStatus, error.toJsonBytes());
    }

    HttpResponse HttpResponse::error(int statusCode, const QString &message)
    {
        ApiError e;
        e.httpStatus = statusCode;
        e.status = ApiError::statusForHttp(statusCode);
        e.reason = ApiError::reasonForHttp(statusCode);
        e.message = message;
        e.retryable = (statusCode == 408) || (statusCode == 503);
        return fromError(e);
    }

    int HttpResponse::statusCode() const
    {
        return m_statusCode;
    }

    void HttpResponse::setStatusCode(int statusCode)
    {
        m_statusCode = statusCode;
    }

    const QByteArray &HttpResponse::contentType() const
    {
        return m_contentType;
    }

    void HttpResponse::setContentType(const QByteArray &contentType)
    {
        m_contentType = contentType;
    }

    const QByteArray &HttpResponse::body() const
    {
        return m_body;
    }

    void HttpResponse::setBody(const QByteArray &body)
    {
        m_body = body;
    }

    const HttpHeaders &HttpResponse::headers() const
    {
        return m_headers;
    }

    HttpHeaders &HttpResponse::headers()
    {
        return m_headers;
    }

    void HttpResponse::setHeader(QByteArrayView name, QByteArrayView value)
    {
        m_headers.set(name, value);
    }

    void HttpResponse::addHeader(QByteArrayView name, QByteArrayView value)
    {
        m_headers.append(name, value);
    }
}
