import { initAll } from '../govuk/govuk-frontend.min.js'
import { wrapTables } from './tables.js'
import { keepTicks } from './ticked-files.js'

wrapTables()
keepTicks()
initAll()
