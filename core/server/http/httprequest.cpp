#include "core/server/http/httprequest.h"

#include <http_parser.h>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        QString decodePath(QByteArrayView path)
        {
            if (!path.contains('%'))
                return QString::fromUtf8(path);
            return QString::fromUtf8(QByteArray::fromPercentEncoding(path.toByteArray()));
        }

        QString decodeFormComponent(QByteArrayView bytes)
        {
            if (!bytes.contains('%') && !bytes.contains('+'))
                return QString::fromUtf8(bytes);
            QByteArray copy = bytes.toByteArray();
            copy.replace('+', ' ');
            return QString::fromUtf8(QByteArray::fromPercentEncoding(copy));
        }
    }

    const QByteArray &HttpRequest::method() const
    {
        return m_method;
    }

    void HttpRequest::setMethod(const QByteArray &method)
    {
        m_method = method;
    }

    bool HttpRequest::isHead() const
    {
        return m_method == "HEAD"_ba;
    }

    const QByteArray &HttpRequest::target() const
    {
        return m_target;
    }

    bool HttpRequest::setTarget(const QByteArray &target)
    {
        m_target = target;
        m_path.clear();
        m_rawQuery.clear();
        m_queryItems.clear();

        QByteArrayView pathPart;
        QByteArrayView queryPart;
        const QByteArrayView view(m_target);
        if (view.startsWith('/')) {
            // origin-form, by far the common case: split by hand rather than through a URL parser
            qsizetype end = view.indexOf('#');
            const QByteArrayView noFragment = (end < 0) ? view : view.first(end);
            const qsizetype q = noFragment.indexOf('?');
            pathPart = (q < 0) ? noFragment : noFragment.first(q);
            if (q >= 0)
                queryPart = noFragment.sliced(q + 1);
        } else if (view == "*") {
            pathPart = view;
        } else {
            // absolute-form ("http://host/path?q"), which proxies send and RFC 7230 says servers must accept
            http_parser_url url;
            http_parser_url_init(&url);
            if (view.isEmpty() || http_parser_parse_url(view.data(), size_t(view.size()), 0, &url) != 0)
                return false;
            if (url.field_set & (1 << UF_PATH))
                pathPart = view.sliced(url.field_data[UF_PATH].off, url.field_data[UF_PATH].len);
            else
                pathPart = "/";
            if (url.field_set & (1 << UF_QUERY))
                queryPart = view.sliced(url.field_data[UF_QUERY].off, url.field_data[UF_QUERY].len);
        }
        m_path = decodePath(pathPart);
        if (!queryPart.isEmpty()) {
            m_rawQuery = queryPart.toByteArray();
            m_queryItems = parseQuery(queryPart);
        }
        return true;
    }

    const QString &HttpRequest::path() const
    {
        return m_path;
    }

    const QByteArray &HttpRequest::rawQuery() const
    {
        return m_rawQuery;
    }

    const HttpRequest::QueryItems &HttpRequest::queryItems() const
    {
        return m_queryItems;
    }

    bool HttpRequest::hasQueryItem(const QString &key) const
    {
        for (const auto &item : m_queryItems) {
            if (item.first == key)
                return true;
        }
        return false;
    }

    QString HttpRequest::queryItemValue(const QString &key, const QString &defaultValue) const
    {
        for (const auto &item : m_queryItems) {
            if (item.first == key)
                return item.second;
        }
        return defaultValue;
    }

    HttpRequest::QueryItems HttpRequest::parseQuery(QByteArrayView query)
    {
        QueryItems items;
        qsizetype start = 0;
        while (start <= query.size()) {
            qsizetype end = query.indexOf('&', start);
            if (end < 0)
                end = query.size();
            const QByteArrayView piece = query.sliced(start, end - start);
            if (!piece.isEmpty()) {
                const qsizetype eq = piece.indexOf('=');
                if (eq < 0)
                    items.append({decodeFormComponent(piece), QString()});
                else
                    items.append({decodeFormComponent(piece.first(eq)), decodeFormComponent(piece.sliced(eq + 1))});
            }
            start = end + 1;
        }
        return items;
    }

    const HttpHeaders &HttpRequest::headers() const
    {
        return m_headers;
    }

    HttpHeaders &HttpRequest::headers()
    {
        return m_headers;
    }

    QByteArray HttpRequest::header(QByteArrayView name) const
    {
        return m_headers.value(name);
    }

    bool HttpRequest::hasHeader(QByteArrayView name) const
    {
        return m_headers.contains(name);
    }

    const QByteArray &HttpRequest::body() const
    {
        return m_body;
    }

    void HttpRequest::setBody(const QByteArray &body)
    {
        m_body = body;
    }

    QByteArray &HttpRequest::body()
    {
        return m_body;
    }

    QHostAddress HttpRequest::peerAddress() const
    {
        return m_peerAddress;
    }

    quint16 HttpRequest::peerPort() const
    {
        return m_peerPort;
    }

    void HttpRequest::setPeer(const QHostAddress &address, quint16 port)
    {
        m_peerAddress = address;
        m_peerPort = port;
    }

    bool HttpRequest::isSecure() const
    {
        return m_secure;
    }

    void HttpRequest::setSecure(bool secure)
    {
        m_secure = secure;
    }

    int HttpRequest::httpMajorVersion() const
    {
        return m_httpMajor;
    }

    int HttpRequest::httpMinorVersion() const
    {
        return m_httpMinor;
    }

    void HttpRequest::setHttpVersion(int major, int minor)
    {
        m_httpMajor = major;
        m_httpMinor = minor;
    }

    bool HttpRequest::isKeepAlive() const
    {
        return m_keepAlive;
    }

    void HttpRequest::setKeepAlive(bool keepAlive)
    {
        m_keepAlive = keepAlive;
    }
}
