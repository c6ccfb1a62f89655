#include "core/reconcile/idsfilewriter.h"

#include <QDir>
#include <QFileInfo>

using namespace Qt::Literals::StringLiterals;

namespace Aq::Reconcile
{
    QByteArray IdsFileWriter::line(QByteArrayView messageId, QByteArrayView eventId)
    {
        QByteArray out;
        out.reserve(messageId.size() + eventId.size() + 2);
        out.append(messageId).append('\t').append(eventId).append('\n');
        return out;
    }

    IdsFileWriter::IdsFileWriter(const QString &path) : m_path {path}, m_file {path} {}

    Status IdsFileWriter::open()
    {
        const QString folder = QFileInfo(m_path).absolutePath();
        if (!QDir().mkpath(folder))
            return ApiError::invalidArgument(u"%1: cannot create the folder %2"_s.arg(m_path, folder));
        if (!m_file.open(QIODevice::WriteOnly | QIODevice::Truncate))
            return ApiError::invalidArgument(u"cannot write %1: %2"_s.arg(m_path, m_file.errorString()));
        m_lines = 0;
        m_error.clear();
        return Ok {};
    }

    void IdsFileWriter::append(const QString &messageId, QByteArrayView eventId)
    {
        if (!m_file.isOpen())
            return;
        if (m_file.write(line(messageId.toUtf8(), eventId)) < 0 && m_error.isEmpty())
            m_error = m_file.errorString();
        ++m_lines;
    }

    Status IdsFileWriter::flush()
    {
        if (m_file.isOpen() && !m_file.flush() && m_error.isEmpty())
            m_error = m_file.errorString();
        if (!m_error.isEmpty())
            return ApiError::unavailable(u"cannot write %1: %2"_s.arg(m_path, m_error));
        return Ok {};
    }

    Status IdsFileWriter::close()
    {
        Status flushed = flush();
        m_file.close();
        return flushed;
    }
}
