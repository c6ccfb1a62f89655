#include "core/pipeline/errorrecord.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QStringDecoder>

#include "core/common/timeutil.h"

using namespace Qt::Literals::StringLiterals;

namespace Aq::Pipeline
{
    QByteArray errorRecordJson(const PubSub::PubsubMessage &message, const QString &errorMessage, const QString &stage, qint64 failedAtMicros)
    {
        QJsonObject row {
            {u"timestamp"_s, Time::formatRfc3339(failedAtMicros)},
            {u"payloadBytes"_s, QString::fromLatin1(message.data.toBase64())},
            {u"errorMessage"_s, errorMessage},
            {u"stacktrace"_s, u"aqueduct ingest pipeline: %1 (message %2)"_s.arg(stage, message.messageId)},
        };
        QStringDecoder decoder(QStringDecoder::Utf8, QStringDecoder::Flag::Stateless);
        const QString text = decoder.decode(message.data);
        if (!decoder.hasError())
            row.insert(u"payloadString"_s, text);
        QJsonArray attributes;
        for (auto it = message.attributes.cbegin(); it != message.attributes.cend(); ++it)
            attributes.append(QJsonObject {{u"key"_s, it.key()}, {u"value"_s, it.value()}});
        if (!attributes.isEmpty())
            row.insert(u"attributes"_s, attributes);
        return QJsonDocument(row).toJson(QJsonDocument::Compact);
    }
}
