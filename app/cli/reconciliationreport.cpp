#include "app/cli/reconciliationreport.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Cli
{
    using Reconcile::Reconciliation;

    namespace
    {
        QString plural(qint64 n, const QString &one, const QString &many)
        {
            return u"%1 %2"_s.arg(n).arg(n == 1 ? one : many);
        }

        QString countLine(const QString &label, qint64 value, const QString &note = {})
        {
            QString line = u"  %1 %2"_s.arg(label.leftJustified(14), QString::number(value).rightJustified(10));
            if (!note.isEmpty())
                line += u"  "_s + note;
            return line + u'\n';
        }

        QString listHeader(const QString &title, qsizetype listed, qint64 total)
        {
            if (listed < total)
                return u"\n%1 (%2, the first %3 listed; --max-listed shows more):\n"_s.arg(title).arg(total).arg(listed);
            return u"\n%1 (%2):\n"_s.arg(title).arg(total);
        }

        QJsonValue backlogValue(qint64 messages)
        {
            return messages < 0 ? QJsonValue(QJsonValue::Null) : QJsonValue(messages);
        }

        QJsonObject subscriptionJson(const Reconciliation::Backlog &backlog)
        {
            return {{u"name"_s, backlog.subscription}, {u"exists"_s, backlog.exists},
                    {u"backlog"_s, backlog.exists ? backlogValue(backlog.messages) : QJsonValue(0)}};
        }
    }

    QByteArray reconciliationText(const Reconciliation &report)
    {
        QString out = u"%1: %2, %3 against %4 (key %5)\n"_s.arg(report.idsFile, plural(report.lines, u"line"_s, u"lines"_s),
                                                                 plural(report.sent, u"event ID"_s, u"event IDs"_s), report.table, report.keyColumn);
        if (report.publishedMoreThanOnce > 0)
            out += u"  %1 published more than once, counted once\n"_s.arg(plural(report.publishedMoreThanOnce, u"event was"_s, u"events were"_s));
        if (report.linesWithoutEventId > 0)
            out += u"  %1 no event ID and could not be checked\n"_s.arg(plural(report.linesWithoutEventId, u"line has"_s, u"lines have"_s));
        out += countLine(u"sent"_s, report.sent);
        out += countLine(u"stored"_s, report.stored, report.duplicated > 0 ? u"once %1, more than once %2"_s.arg(report.storedOnce()).arg(report.duplicated) : QString());
        out += countLine(u"in error table"_s, report.inErrorTable,
                         report.errorTableExists ? u"%1, accounted for"_s.arg(report.errorTable) : u"%1 does not exist"_s.arg(report.errorTable));
        out += countLine(u"missing"_s, report.missing, report.missing > 0 ? report.whereaboutsText() : QString());
        out += countLine(u"duplicated"_s, report.duplicated, report.duplicated > 0 ? plural(report.extraRows, u"extra row"_s, u"extra rows"_s) : QString());

        if (!report.missingList.isEmpty()) {
            out += listHeader(u"Missing"_s, report.missingList.size(), report.missing);
            for (const Reconciliation::Missing &event : report.missingList) {
                out += u"  line %1  event %2  message %3  %4\n"_s.arg(event.line).arg(event.eventId, event.messageId,
                                                                                       Reconciliation::whereaboutsName(report.whereabouts));
            }
        }
        if (!report.errorList.isEmpty()) {
            out += listHeader(u"In the error table"_s, report.errorList.size(), report.inErrorTable);
            for (const Reconciliation::Errored &event : report.errorList) {
                out += u"  line %1  event %2  message %3  %4\n"_s.arg(event.line).arg(event.eventId, event.messageId,
                                                                                       event.errorMessage.simplified());
            }
        }
        if (!report.duplicatedList.isEmpty()) {
            out += listHeader(u"Duplicated"_s, report.duplicatedList.size(), report.duplicated);
            for (const Reconciliation::Duplicated &event : report.duplicatedList)
                out += u"  line %1  event %2  %3 rows\n"_s.arg(event.line).arg(event.eventId).arg(event.rows);
        }

        out += u'\n';
        if (report.isComplete()) {
            out += u"OK: every event is stored exactly once"_s;
            if (report.inErrorTable > 0)
                out += u" (%1 in the error table)"_s.arg(report.inErrorTable);
            out += u".\n"_s;
        } else {
            QStringList problems;
            if (report.missing > 0)
                problems.append(u"%1 missing"_s.arg(report.missing));
            if (report.duplicated > 0)
                problems.append(u"%1 duplicated"_s.arg(report.duplicated));
            out += u"NOT OK: %1.\n"_s.arg(problems.join(u", "_s));
        }
        return out.toUtf8();
    }

    QByteArray reconciliationJson(const Reconciliation &report)
    {
        const QString where = Reconciliation::whereaboutsName(report.whereabouts);
        QJsonArray missing;
        for (const Reconciliation::Missing &event : report.missingList)
            missing.append(QJsonObject {{u"eventId"_s, event.eventId}, {u"messageId"_s, event.messageId}, {u"line"_s, event.line}, {u"where"_s, where}});
        QJsonArray errors;
        for (const Reconciliation::Errored &event : report.errorList) {
            errors.append(QJsonObject {{u"eventId"_s, event.eventId},
                                       {u"messageId"_s, event.messageId},
                                       {u"line"_s, event.line},
                                       {u"errorMessage"_s, event.errorMessage},
                                       {u"matchedBy"_s, event.matchedByMessageId ? u"messageId"_s : u"eventId"_s}});
        }
        QJsonArray duplicated;
        for (const Reconciliation::Duplicated &event : report.duplicatedList)
            duplicated.append(QJsonObject {{u"eventId"_s, event.eventId}, {u"line"_s, event.line}, {u"rows"_s, event.rows}});

        const QJsonObject counts {
            {u"lines"_s, report.lines},
            {u"linesWithoutEventId"_s, report.linesWithoutEventId},
            {u"publishedMoreThanOnce"_s, report.publishedMoreThanOnce},
            {u"sent"_s, report.sent},
            {u"stored"_s, report.stored},
            {u"storedOnce"_s, report.storedOnce()},
            {u"duplicated"_s, report.duplicated},
            {u"extraRows"_s, report.extraRows},
            {u"inErrorTable"_s, report.inErrorTable},
            {u"missing"_s, report.missing},
            {u"lostAtLeast"_s, report.lostAtLeast()},
        };
        // Where the missing events are; null when none is.
        const QJsonValue none(QJsonValue::Null);
        const QJsonObject whereabouts {
            {u"missing"_s, report.missing > 0 ? QJsonValue(where) : none},
            {u"reason"_s, report.missing > 0 ? QJsonValue(report.whereaboutsText()) : none},
            {u"backlog"_s, backlogValue(report.backlog())},
            {u"subscription"_s, subscriptionJson(report.subscription)},
            {u"deadLetterSubscription"_s, subscriptionJson(report.deadLetterSubscription)},
        };
        const QJsonObject root {
            {u"ok"_s, report.isComplete()},
            {u"idsFile"_s, report.idsFile},
            {u"table"_s, report.table},
            {u"errorTable"_s, report.errorTable},
            {u"errorTableExists"_s, report.errorTableExists},
            {u"keyColumn"_s, report.keyColumn},
            {u"counts"_s, counts},
            {u"whereabouts"_s, whereabouts},
            {u"missing"_s, missing},
            {u"inErrorTable"_s, errors},
            {u"duplicated"_s, duplicated},
            {u"maxListed"_s, report.maxListed},
            {u"warnings"_s, QJsonArray::fromStringList(report.warnings)},
        };
        return QJsonDocument(root).toJson(QJsonDocument::Indented);
    }
}
