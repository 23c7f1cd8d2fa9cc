export { MappingError, describeOptionValue, isMappingError } from './errors.js';
export type { MappingErrorCode, MappingErrorInit } from './errors.js';
export { MAX_BODY_BYTES, MAX_EXTERNAL_ID_LENGTH, MAX_SAMPLES_PER_WORKOUT, MIN_BODY_BYTES, resolveWorkoutOptions } from './options.js';
export type { ApiId, ResolvedWorkoutRequestOptions, WorkoutRequestOptions } from './options.js';
export { formatLocalDate, formatLocalDateTime, isTimeZone, offsetAt, parseLocalDateTime } from '@optimo-import/workout';
export { escapeXml, formatNumber, removeForbiddenCharacters, utf8Length, XML_DECLARATION } from './xml-write.js';
export { DECIMALS } from './workout-xml.js';
export {
  buildAssessmentCreate,
  buildAssessmentList,
  buildAthleteCreate,
  buildAthleteGet,
  buildAthleteList,
  buildStaffCurrent,
  buildSystemCurrent,
  buildWorkoutDelete,
  buildWorkoutGet,
  buildWorkoutList,
  MAX_PER_PAGE,
} from './requests.js';
export type {
  AssessmentListFilter,
  AssessmentRequestOptions,
  AthleteListFilter,
  DateInput,
  DateTimeInput,
  ListPaging,
  WorkoutGetOptions,
  WorkoutListFilter,
} from './requests.js';
export { buildWorkoutCreate, buildWorkoutSamplesAdd, buildWorkoutUpdate } from './workout-requests.js';
export type { SampleRange, SamplesAddOptions, WorkoutUpdateOptions } from './workout-requests.js';
export { countWorkoutRequests, planWorkoutUpload, WORKOUT_ID_RESERVE_BYTES } from './upload-plan.js';
export type { UploadChunk, WorkoutUploadPlan } from './upload-plan.js';
export { readResponse } from './responses.js';
export type { ApiResponse, FailAnswer, NotApiAnswer, NotApiReason, OkAnswer, ResponseInfo } from './responses.js';
export {
  readAssessmentList,
  readAthlete,
  readAthleteList,
  readIds,
  readStaffCurrent,
  readSystemCurrent,
  readWorkout,
  readWorkoutList,
} from './answers.js';
export type { AnswerIds, AnswerReadOptions } from './answers.js';
export { readXml } from './xml-read.js';
export type { XmlElement, XmlReadFailure, XmlReadResult } from './xml-read.js';
export { ASSESSMENT_TYPES, FOLDERS, SEXES } from './records.js';
export type {
  Assessment,
  AssessmentFields,
  AssessmentType,
  Athlete,
  AthleteFields,
  Folder,
  LapRecord,
  ListPage,
  Sex,
  StaffMember,
  StaffRole,
  SystemInfo,
  WorkoutRecord,
  WorkoutUpdateFields,
} from './records.js';
