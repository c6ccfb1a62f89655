#include "core/server/api/deadletterroutes.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/bigquery/bigqueryclient.h"
#include "core/bigquery/cellformat.h"
#include "core/server/api/eventsroutes.h"
#include "core/server/api/requestparameters.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        constexpr int DefaultLimit = 100;
        constexpr int MaxLimit = 1000;
        constexpr qint64 MaxOffset = 10'000'000;

        QString tokenFor(qint64 offset)
        {
            return QString::fromLatin1(QByteArray("o" + QByteArray::number(offset)).toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals));
        }

        std::optional<qint64> offsetFrom(const QString &token)
        {
            const QByteArray raw = QByteArray::fromBase64(token.toLatin1(), QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals);
            if (!raw.startsWith('o'))
                return std::nullopt;
            bool ok = false;
            const qint64 offset = raw.mid(1).toLongLong(&ok);
            if (!ok || offset < 0 || offset > MaxOffset)
                return std::nullopt;
            return offset;
        }
    }

    DeadLetterRoutes::DeadLetterRoutes(ApiContext &context)
        : m_context {context}
    {
    }

    void DeadLetterRoutes::list(const HttpRequest &request, const HttpResponder &responder)
    {
        Result<RequestParameters> params = RequestParameters::read(request, {u"limit"_s, u"page_token"_s});
        if (!params)
            return responder.send(HttpResponse::fromError(params.error()));
        Result<qint64> limit = params->integer(u"limit"_s, 1, MaxLimit, DefaultLimit);
        if (!limit)
            return responder.send(HttpResponse::fromError(limit.error()));
        qint64 offset = 0;
        if (const std::optional<QString> token = params->text(u"page_token"_s, 64)) {
            const std::optional<qint64> decoded = offsetFrom(*token);
            if (!decoded)
                return responder.send(HttpResponse::fromError(
                    ApiError::invalidArgument(u"Query parameter \"page_token\" is not a token this server gave out; start again without it."_s)));
            offset = *decoded;
        }
        if (Status connected = m_context.requireConnection(); !connected)
            return responder.send(HttpResponse::fromError(connected.error()));

        BigQuery::QueryRequest query;
        query.sql = u"SELECT `timestamp`, `errorMessage`, `payloadString`, `payloadBytes`, `attributes` FROM %1 ORDER BY `timestamp` DESC LIMIT %2 OFFSET %3"_s
                        .arg(m_context.errorTable.qualifiedName())
                        .arg(*limit + 1)
                        .arg(offset);
        query.pageSize = int(*limit + 1);
        m_context.bigquery->query(query, m_context.owner, [responder, limit = *limit, offset](Result<BigQuery::QueryPage> page) {
            if (!page)
                return responder.send(HttpResponse::fromError(backendError(page.error(), u"The error table cannot be read"_s)));
            QJsonArray rows;
            const qsizetype shown = qMin<qsizetype>(page->rows.size(), limit);
            for (qsizetype r = 0; r < shown; ++r) {
                QJsonObject row;
                for (qsizetype c = 0; c < page->fields.size(); ++c)
                    row.insert(page->fields[c].name, BigQuery::cellToJson(page->fields[c], page->rows[r].value(c)));
                rows.append(row);
            }
            HttpResponse response = HttpResponse::json(200, QJsonDocument(rows).toJson(QJsonDocument::Compact));
            if (page->rows.size() > limit) {
                const QString token = tokenFor(offset + limit);
                response.setHeader("X-Next-Page-Token", token.toLatin1());
                response.setHeader("Link", QByteArray("</dead-letters?limit=" + QByteArray::number(limit) + "&page_token=" + token.toLatin1() + ">; rel=\"next\""));
            }
            responder.send(response);
        });
    }
}
