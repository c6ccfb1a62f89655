#include "core/reconcile/reconciliation.h"

#include <algorithm>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Reconcile
{
    namespace
    {
        QString shortName(const QString &subscription)
        {
            return subscription.section(u'/', -1);
        }
    }

    qint64 Reconciliation::backlog() const
    {
        qint64 total = 0;
        for (const Backlog *b : {&subscription, &deadLetterSubscription}) {
            if (!b->exists)
                continue;
            if (b->messages < 0)
                return -1;
            total += b->messages;
        }
        return total;
    }

    qint64 Reconciliation::lostAtLeast() const
    {
        switch (whereabouts) {
        case Whereabouts::Lost:
            return missing;
        case Whereabouts::Pending:
            return std::max<qint64>(0, missing - backlog());
        case Whereabouts::Unknown:
            break;
        }
        return 0;
    }

    QString Reconciliation::whereaboutsName(Whereabouts whereabouts)
    {
        switch (whereabouts) {
        case Whereabouts::Pending:
            return u"pending"_s;
        case Whereabouts::Lost:
            return u"lost"_s;
        case Whereabouts::Unknown:
            break;
        }
        return u"unknown"_s;
    }

    QString Reconciliation::whereaboutsText() const
    {
        const QString main = shortName(subscription.subscription);
        const QString deadLetters = shortName(deadLetterSubscription.subscription);
        switch (whereabouts) {
        case Whereabouts::Pending: {
            QString text = u"not yet stored: the subscription's backlog is %1 (%2 %3"_s.arg(backlog()).arg(main).arg(subscription.messages);
            if (deadLetterSubscription.exists)
                text += u", %1 %2"_s.arg(deadLetters).arg(deadLetterSubscription.messages);
            text += u"); they may still arrive"_s;
            if (lostAtLeast() > 0)
                text += u", but at least %1 of them are lost"_s.arg(lostAtLeast());
            return text;
        }
        case Whereabouts::Lost:
            if (!subscription.exists)
                return u"lost: the subscription %1 does not exist, and Pub/Sub keeps messages only for subscriptions"_s.arg(main);
            return u"lost: in neither table, and nothing is waiting in %1%2"_s.arg(
                main, deadLetterSubscription.exists ? u" or %1"_s.arg(deadLetters) : QString());
        case Whereabouts::Unknown:
            break;
        }
        return u"unknown: still in flight or lost (the backend does not tell %1's backlog; on Google Cloud, Cloud Monitoring's "
               "pubsub.googleapis.com/subscription/num_undelivered_messages does)"_s.arg(main);
    }
}
