#pragma once

#include <memory>

#include <QByteArray>
#include <QByteArrayView>
#include <QString>
#include <QStringList>

#include "core/common/result.h"

namespace Aq::Pipeline
{
    class EventRandom;

    // A user's event template: one JSON object whose string values may hold placeholders, compiled once and
    // rendered many times.
    //
    //   {{uuid}}                  a version 4 UUID
    //   {{now}}                   the current time, RFC 3339 UTC ("2024-05-01T12:00:00.123Z")
    //   {{choice:a,b,c}}          one of the values, each as likely
    //   {{int:MIN:MAX}}           an integer in [MIN, MAX]
    //   {{float:MIN:MAX[:DECIMALS]}}  a number in [MIN, MAX), with that many decimals (else as many as it takes)
    //   {{seq}}, {{seq:START}}    the event's number in the run, from START (default 1)
    //
    // A string that is exactly one int, float or seq placeholder becomes a JSON number; anywhere else a
    // placeholder is text inside the string ("user_{{int:1:100}}"). Keys, numbers and literals are copied as
    // they are. `\u007b{` in the file is a literal "{{".
    class EventTemplate
    {
    public:
        // `keyFields`: the top-level fields whose rendered value is the event's id, in order of preference
        // (the table's key column, then "id"). `source` names the template in messages (a file name).
        static Result<EventTemplate> parse(const QByteArray &json, const QString &source, const QStringList &keyFields = {});
        static Result<EventTemplate> load(const QString &fileName, const QStringList &keyFields = {});

        // Appends one event, compact JSON, to `out`. `eventIndex` counts from 0; `now` is the RFC 3339 text
        // {{now}} writes. `eventId`, when given, receives the key field's value (empty without one).
        void render(QByteArray &out, EventRandom &random, qint64 eventIndex, QByteArrayView now, QByteArray *eventId = nullptr) const;

        bool usesNow() const;
        // The top-level field that holds the event's id; empty when the template has none of `keyFields`.
        QString keyField() const;

        struct Compiled;

    private:
        explicit EventTemplate(std::shared_ptr<const Compiled> compiled);

        std::shared_ptr<const Compiled> m_compiled;   // shared: copies (a validation pass, a second run) are cheap
    };
}
