#include "core/server/api/publishroutes.h"

#include <memory>

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include "core/metrics/pipelinemetrics.h"
#include "core/pubsub/publisher.h"
#include "core/server/api/publishrequest.h"
#include "core/server/api/requestparameters.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Server
{
    namespace
    {
        struct PublishProgress
        {
            QStringList messageIds;
            int answered = 0;
            int failed = 0;
            ApiError firstError;
        };
    }

    PublishRoutes::PublishRoutes(ApiContext &context)
        : m_context {context}
    {
    }

    void PublishRoutes::publish(const HttpRequest &request, const HttpResponder &responder)
    {
        publishBody(request, responder, false);
    }

    void PublishRoutes::redrive(const HttpRequest &request, const HttpResponder &responder)
    {
        publishBody(request, responder, true);
    }

    void PublishRoutes::publishBody(const HttpRequest &request, const HttpResponder &responder, bool validateByDefault)
    {
        Result<RequestParameters> params = RequestParameters::read(request, {u"validate"_s});
        if (!params)
            return responder.send(HttpResponse::fromError(params.error()));
        Result<bool> validate = params->boolean(u"validate"_s, validateByDefault);
        if (!validate)
            return responder.send(HttpResponse::fromError(validate.error()));
        const QByteArray contentType = request.header("Content-Type").toLower();
        if (!contentType.isEmpty() && !contentType.startsWith("application/json"))
            return responder.send(HttpResponse::fromError(ApiError::invalidArgument(u"Content-Type must be application/json."_s)));
        Result<PublishRequest> body = PublishRequest::parse(request.body());
        if (!body)
            return responder.send(HttpResponse::fromError(body.error()));
        if (*validate) {
            const QList<std::pair<QString, QString>> violations = body->schemaViolations(m_context.converter);
            if (!violations.isEmpty()) {
                const QString message = u"%1 of %2 messages do not match the table schema; nothing was published."_s.arg(violations.size()).arg(body->messages.size());
                return responder.send(HttpResponse::json(400, badRequestBody(message, violations)));
            }
        }
        if (Status connected = m_context.requireConnection(); !connected)
            return responder.send(HttpResponse::fromError(connected.error()));

        const int total = int(body->messages.size());
        auto progress = std::make_shared<PublishProgress>();
        progress->messageIds.resize(total);
        Metrics::PipelineMetrics *metrics = m_context.metrics;
        const auto answer = [progress, total, responder] {
            if (progress->failed == 0) {
                const QJsonObject reply {{u"messageIds"_s, QJsonArray::fromStringList(progress->messageIds)}};
                return responder.send(HttpResponse::json(200, QJsonDocument(reply).toJson(QJsonDocument::Compact)));
            }
            ApiError error = progress->firstError;
            error.message = u"%1 of %2 messages were not published (%3). The others were; sending them again publishes them twice, "
                            "which the table absorbs only when they carry their key column."_s
                                .arg(progress->failed)
                                .arg(total)
                                .arg(progress->firstError.message);
            responder.send(HttpResponse::fromError(error));
        };
        for (int i = 0; i < total; ++i) {
            const Status queued = m_context.publisher->publish(body->messages[i], [progress, i, total, metrics, answer](Result<QString> id) {
                if (id) {
                    progress->messageIds[i] = *id;
                    if (metrics)
                        metrics->add(Metrics::Stage::Published);
                } else if (progress->failed++ == 0) {
                    progress->firstError = id.error();
                }
                if (++progress->answered == total)
                    answer();
            });
            if (!queued) {
                if (progress->failed++ == 0)
                    progress->firstError = queued.error().httpStatus == 429 ? queued.error()
                                                                            : ApiError::unavailable(queued.error().message);
                if (++progress->answered == total)
                    answer();
            }
        }
        m_context.publisher->flush();
    }
}
