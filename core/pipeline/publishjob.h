#pragma once

#include <functional>
#include <optional>

#include <QElapsedTimer>
#include <QList>
#include <QMap>
#include <QObject>
#include <QTimer>

#include "core/common/result.h"
#include "core/pipeline/eventgenerator.h"

namespace Aq::PubSub
{
    class Publisher;
}

namespace Aq::Pipeline
{
    // What a publish run sends and how fast (aqueduct publish's flags, the console's Publish page).
    struct PublishPlan
    {
        qint64 count = -1;             // events per round; < 0: no limit (until the duration ends or stop())
        double rate = 0;               // messages per second, evenly spaced; 0: as fast as flow control allows
        qint64 durationMicros = 0;     // 0: no limit
        qint64 everyMicros = 0;        // > 0: a round of `count` events every interval, as a Cloud Scheduler job does
        QMap<QString, QString> attributes;
        QString orderingKey;
    };

    struct InvalidEvent
    {
        qint64 number = 0;   // from 1, in the order of the run
        QString reason;
    };

    // Publishes generated events through a Publisher according to a plan: paced, in rounds, within the
    // publisher's flow control (it waits for capacityAvailable() rather than queueing without bound).
    class PublishJob final : public QObject
    {
        Q_OBJECT

    public:
        using Validator = std::function<Status(const QByteArray &data)>;

        // Events checked ahead of a round whose size is not known (a run bounded by its duration only).
        static constexpr qint64 ValidationLookahead = 10000;

        PublishJob(PubSub::Publisher *publisher, EventGenerator generator, PublishPlan plan, QObject *parent = nullptr);
        ~PublishJob() override;

        // Checks events before they are sent (aqueduct publish --validate). Each round's events are checked
        // first, with a copy of the generator, and the round sends nothing if one fails; in a round of unknown
        // size the events after the first ValidationLookahead are checked one by one as they are sent, and the
        // first that fails ends the run.
        void setValidator(Validator validator);

        void start();
        // Sends no new events; finished() follows once those in flight are answered.
        void stop();

        qint64 sent() const { return m_sent; }
        qint64 failed() const { return m_failed; }
        qint64 invalid() const { return m_invalid; }
        qint64 inFlight() const { return m_inFlight; }
        qint64 elapsedMicros() const;
        bool isFinished() const { return m_finished; }
        const EventGenerator &generator() const { return m_generator; }

    Q_SIGNALS:
        void published(qint64 number, const QString &messageId, const QByteArray &eventId);
        void publishFailed(qint64 number, const Aq::ApiError &error);
        // Events that the validator refused (the first few of `count`), after `checked` events were checked.
        void eventsInvalid(const QList<Aq::Pipeline::InvalidEvent> &first, qint64 count, qint64 checked);
        void finished();

    private:
        qint64 roundSize() const;
        void startRound();
        void pump();
        bool validateAhead(qint64 events);
        void send(GeneratedEvent event, qint64 number);
        void endRound();
        void endGeneration();
        void finishIfDone();
        void wakeAt(qint64 micros);

        PubSub::Publisher *m_publisher;
        EventGenerator m_generator;
        PublishPlan m_plan;
        Validator m_validator;
        QElapsedTimer m_clock;
        QTimer m_wake;        // the next paced event
        QTimer m_nextRound;
        QTimer m_deadline;
        int m_round = 0;
        qint64 m_roundStart = 0;        // micros since start
        qint64 m_roundGenerated = 0;
        qint64 m_validatedUntil = 0;    // events numbered up to this one were checked ahead
        std::optional<std::pair<GeneratedEvent, qint64>> m_held;   // refused by flow control; sent on capacityAvailable()
        qint64 m_sent = 0;
        qint64 m_failed = 0;
        qint64 m_invalid = 0;
        qint64 m_inFlight = 0;
        qint64 m_elapsedAtFinish = -1;
        bool m_started = false;
        bool m_generating = false;
        bool m_betweenRounds = false;
        bool m_firstRoundChecked = false;
        bool m_finished = false;
    };
}
