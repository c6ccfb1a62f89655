#pragma once

#include <QByteArray>
#include <QByteArrayView>
#include <QFile>
#include <QString>

#include "core/common/result.h"

namespace Aq::Reconcile
{
    // Writes a publish run's ids file, the one IdsFileReader reads: MESSAGE_ID<TAB>EVENT_ID per line, in the order
    // Pub/Sub confirms the messages (aqueduct publish --ids-out, the console's Publish page). Lines go to the file
    // as they come; flush() now and then makes them visible to a reader while the run goes on, and whatever was
    // confirmed before a crash is kept.
    class IdsFileWriter
    {
    public:
        // One line, with its newline. An event without a key field has an empty event ID.
        static QByteArray line(QByteArrayView messageId, QByteArrayView eventId);

        explicit IdsFileWriter(const QString &path);

        QString path() const { return m_path; }
        // Creates the file (and its folder), or truncates it.
        Status open();
        bool isOpen() const { return m_file.isOpen(); }
        void append(const QString &messageId, QByteArrayView eventId);
        qint64 lines() const { return m_lines; }
        // The first write error since open(), if any.
        Status flush();
        Status close();

    private:
        QString m_path;
        QFile m_file;
        qint64 m_lines = 0;
        QString m_error;
    };
}
